import { randomUUID } from 'node:crypto';
import type { Context } from '../../context/context.js';
import { LimitExceededException, ResourceAlreadyExistsException } from '../../generated/errors.js';
import type { CreateMitigationActionRequest, CreateMitigationActionResponse } from '../../generated/shapes.js';
import { actionTypeOf, canonicalJson, mitigationActionArn } from '../../actions/params.js';

/** AWS's quota L-1A084077: 100 mitigation actions per account (and region), not adjustable. */
export const MITIGATION_ACTION_LIMIT = 100;

export async function CreateMitigationAction(input: CreateMitigationActionRequest, ctx: Context): Promise<CreateMitigationActionResponse> {
  const actionType = actionTypeOf(input.actionParams);
  const arn = mitigationActionArn(ctx, input.actionName);
  return ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'mitigation-actions');
    const existing = await tx.mitigationActions.get(ctx, input.actionName);
    if (existing) {
      // Same name and identical parameters: success with the ids it already has.
      if (existing.roleArn === input.roleArn && canonicalJson(existing.params) === canonicalJson(input.actionParams)) {
        return { actionArn: existing.arn, actionId: existing.actionId };
      }
      throw new ResourceAlreadyExistsException(
        `A mitigation action named ${input.actionName} already exists with different parameters.`,
        { resourceId: existing.actionId, resourceArn: existing.arn },
      );
    }
    if ((await tx.mitigationActions.count(ctx)) >= MITIGATION_ACTION_LIMIT) {
      throw new LimitExceededException(`This account already has ${MITIGATION_ACTION_LIMIT} mitigation actions in ${ctx.region}, the most AWS IoT allows.`);
    }
    const now = ctx.clock.now();
    const actionId = randomUUID();
    await tx.mitigationActions.insert(ctx, {
      name: input.actionName,
      actionId,
      arn,
      roleArn: input.roleArn,
      actionType,
      params: input.actionParams as Record<string, unknown>,
      createdAt: now,
      modifiedAt: now,
    });
    if (input.tags?.length) await tx.tags.put(ctx, arn, input.tags);
    return { actionArn: arn, actionId };
  });
}
