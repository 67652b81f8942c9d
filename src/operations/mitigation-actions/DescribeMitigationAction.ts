import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { DescribeMitigationActionRequest, DescribeMitigationActionResponse, MitigationActionType } from '../../generated/shapes.js';

export async function DescribeMitigationAction(input: DescribeMitigationActionRequest, ctx: Context): Promise<DescribeMitigationActionResponse> {
  const a = await ctx.store.mitigationActions.get(ctx, input.actionName);
  if (!a) throw new ResourceNotFoundException(`Mitigation action ${input.actionName} does not exist.`);
  return {
    actionName: a.name,
    actionType: a.actionType as MitigationActionType,
    actionArn: a.arn,
    actionId: a.actionId,
    roleArn: a.roleArn,
    actionParams: a.params,
    creationDate: a.createdAt,
    lastModifiedDate: a.modifiedAt,
  };
}
