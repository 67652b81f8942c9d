import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { UpdateMitigationActionRequest, UpdateMitigationActionResponse } from '../../generated/shapes.js';
import { actionTypeOf } from '../../actions/params.js';

/** roleArn and actionParams are each optional; the name cannot change. New params may change the type. */
export async function UpdateMitigationAction(input: UpdateMitigationActionRequest, ctx: Context): Promise<UpdateMitigationActionResponse> {
  const actionType = input.actionParams && actionTypeOf(input.actionParams);
  return ctx.store.transaction(async (tx) => {
    const existing = await tx.mitigationActions.get(ctx, input.actionName);
    if (!existing) throw new ResourceNotFoundException(`Mitigation action ${input.actionName} does not exist.`);
    await tx.mitigationActions.update(ctx, {
      ...existing,
      roleArn: input.roleArn ?? existing.roleArn,
      actionType: actionType ?? existing.actionType,
      params: (input.actionParams as Record<string, unknown> | undefined) ?? existing.params,
      modifiedAt: ctx.clock.now(),
    });
    return { actionArn: existing.arn, actionId: existing.actionId };
  });
}
