import type { Context } from '../../context/context.js';
import type { DeleteMitigationActionRequest, DeleteMitigationActionResponse } from '../../generated/shapes.js';
import { mitigationActionArn } from '../../actions/params.js';

/** Deleting an action that does not exist succeeds, as AWS documents. */
export async function DeleteMitigationAction(input: DeleteMitigationActionRequest, ctx: Context): Promise<DeleteMitigationActionResponse> {
  await ctx.store.transaction(async (tx) => {
    if (await tx.mitigationActions.delete(ctx, input.actionName)) await tx.tags.removeAll(ctx, mitigationActionArn(ctx, input.actionName));
  });
  return {};
}
