import type { Context } from '../../context/context.js';
import { identify, requireCheckName } from '../../audit/suppressions.js';
import type { DeleteAuditSuppressionRequest, DeleteAuditSuppressionResponse } from '../../generated/shapes.js';

/** Deleting a suppression that does not exist succeeds (the model gives this operation no ResourceNotFoundException). */
export async function DeleteAuditSuppression(input: DeleteAuditSuppressionRequest, ctx: Context): Promise<DeleteAuditSuppressionResponse> {
  requireCheckName(input.checkName);
  const { key } = identify(input.resourceIdentifier);
  await ctx.store.repos.auditSuppressions.delete(ctx, input.checkName, key);
  return {};
}
