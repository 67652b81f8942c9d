import type { Context } from '../../context/context.js';
import { identify, requireCheckName, suppressionEnd } from '../../audit/suppressions.js';
import { InvalidRequestException, ResourceNotFoundException } from '../../generated/errors.js';
import type { UpdateAuditSuppressionRequest, UpdateAuditSuppressionResponse } from '../../generated/shapes.js';

/**
 * Changes what is given: suppressIndefinitely true makes the suppression endless, an
 * expirationDate (in the future) gives it an end; the description is replaced when given.
 */
export async function UpdateAuditSuppression(input: UpdateAuditSuppressionRequest, ctx: Context): Promise<UpdateAuditSuppressionResponse> {
  requireCheckName(input.checkName);
  const { key } = identify(input.resourceIdentifier);
  const now = ctx.clock.now();
  await ctx.store.transaction(async (tx) => {
    const existing = await tx.auditSuppressions.get(ctx, input.checkName, key, now);
    if (!existing) throw new ResourceNotFoundException(`There is no suppression of ${input.checkName} for the resource ${key}.`);
    let end = existing.expirationDate;
    if (input.suppressIndefinitely === true || input.expirationDate !== undefined) {
      end = suppressionEnd(input.expirationDate, input.suppressIndefinitely, now);
    } else if (input.suppressIndefinitely === false && end === undefined) {
      throw new InvalidRequestException('suppressIndefinitely false needs an expirationDate: the suppression has no end yet.');
    }
    await tx.auditSuppressions.update(ctx, {
      ...existing,
      expirationDate: end,
      suppressIndefinitely: end === undefined,
      description: input.description ?? existing.description,
    });
  });
  return {};
}
