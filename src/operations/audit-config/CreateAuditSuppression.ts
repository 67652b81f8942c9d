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
    const existing = await tx.auditSuppressions.get(ctx, input.checkName, key, now.getTime());
    const token = input.clientRequestToken;
    if (existing) {
      const same = existing.expiration_date === end && existing.description === (input.description ?? null);
      // A retry: the token that made it.
      if (same && existing.client_request_token === token) return;
      throw new ResourceAlreadyExistsException(`A suppression of ${input.checkName} for the resource ${key} already exists.`);
    }
    const holder = await tx.auditSuppressions.byToken(ctx, token, now.getTime());
    if (holder) {
      throw new ResourceAlreadyExistsException(`The clientRequestToken '${token}' was used for the suppression of ${holder.check_name} for the resource ${holder.resource_identifier}.`);
    }
    await tx.auditSuppressions.put(ctx, {
      check_name: input.checkName,
      resource_identifier: key,
      resource_type: type,
      expiration_date: end,
      suppress_indefinitely: end === null ? 1 : 0,
      description: input.description ?? null,
      created_at: now.getTime(),
      client_request_token: token,
    });
  });
  return {};
}
