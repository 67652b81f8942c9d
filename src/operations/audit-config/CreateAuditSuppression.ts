import type { Context } from '../../context/context.js';
import { identify, requireCheckName, suppressionEnd } from '../../audit/suppressions.js';
import { ResourceAlreadyExistsException } from '../../generated/errors.js';
import type { CreateAuditSuppressionRequest, CreateAuditSuppressionResponse } from '../../generated/shapes.js';

/**
 * A suppression of one check's findings on one resource. One (check, resource) pair has at most
 * one live suppression: another is ResourceAlreadyExistsException, except a retry: the same request
 * with the clientRequestToken that created it. A token already used for another suppression is
 * ResourceAlreadyExistsException too.
 */
export async function CreateAuditSuppression(input: CreateAuditSuppressionRequest, ctx: Context): Promise<CreateAuditSuppressionResponse> {
  requireCheckName(input.checkName);
  const { key, type } = identify(input.resourceIdentifier);
  const now = ctx.clock.now();
  const end = suppressionEnd(input.expirationDate, input.suppressIndefinitely, now);
  await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'audit-suppressions');
    const existing = await tx.auditSuppressions.get(ctx, input.checkName, key, now);
    const token = input.clientRequestToken;
    if (existing) {
      const same = existing.expirationDate?.getTime() === end?.getTime() && existing.description === input.description;
      // A retry: the token that made it.
      if (same && existing.clientRequestToken === token) return;
      throw new ResourceAlreadyExistsException(`A suppression of ${input.checkName} for the resource ${key} already exists.`);
    }
    const holder = await tx.auditSuppressions.byToken(ctx, token, now);
    if (holder) {
      throw new ResourceAlreadyExistsException(`The clientRequestToken '${token}' was used for the suppression of ${holder.checkName} for the resource ${holder.resourceIdentifier}.`);
    }
    await tx.auditSuppressions.put(ctx, {
      checkName: input.checkName,
      resourceIdentifier: key,
      resourceType: type,
      expirationDate: end,
      suppressIndefinitely: end === undefined,
      description: input.description,
      createdAt: now,
      clientRequestToken: token,
    });
  });
  return {};
}
