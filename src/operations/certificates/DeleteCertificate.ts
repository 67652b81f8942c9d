import type { Context } from '../../api/context.js';
import { CertificateStateException, DeleteConflictException } from '../../generated/errors.js';
import type { DeleteCertificateRequest } from '../../generated/shapes.js';
import { normalizeId, requireCertificate, thingsOfPrincipal } from '../../registry/certificates.js';

/**
 * "A certificate cannot be deleted if it has a policy or IoT thing attached to it or if its status
 * is set to ACTIVE." forceDelete detaches the policies in the same transaction; it never detaches
 * things ("Forces the deletion of a certificate if it is inactive and is not attached to an IoT thing").
 */
export async function DeleteCertificate(input: DeleteCertificateRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, `cert/${normalizeId(input.certificateId)}`);
    const c = await requireCertificate(tx, ctx, input.certificateId);
    if (c.status === 'ACTIVE' || c.status === 'PENDING_TRANSFER') {
      throw new CertificateStateException(`Certificate ${c.certificateId} is ${c.status}; set it to INACTIVE with UpdateCertificate before deleting it.`);
    }
    const things = await thingsOfPrincipal(tx, ctx, c.arn);
    if (things.length > 0) {
      throw new DeleteConflictException(`Certificate ${c.certificateId} is attached to ${things.length} thing(s) (${things.slice(0, 5).join(', ')}); detach it with DetachThingPrincipal first.`);
    }
    const policies = await tx.policyTargets.countForTarget(ctx, c.arn);
    if (policies > 0) {
      if (!input.forceDelete) {
        throw new DeleteConflictException(`Certificate ${c.certificateId} has ${policies} attached polic${policies === 1 ? 'y' : 'ies'}; detach them with DetachPolicy or pass forceDelete.`);
      }
      await tx.policyTargets.detachAllFrom(ctx, c.arn);
    }
    await tx.certificates.delete(ctx, c.certificateId);
  });
}
