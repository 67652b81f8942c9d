import type { Context } from '../../context/context.js';
import { CertificateStateException } from '../../generated/errors.js';
import type { DeleteCertificateRequest } from '../../generated/shapes.js';
import { awsError } from '../../registry/aws-messages.js';
import { normalizeId, requireCertificate } from '../../registry/certificates.js';

/**
 * "A certificate cannot be deleted if it has a policy or IoT thing attached to it or if its status
 * is set to ACTIVE." forceDelete detaches the policies in the same transaction; it never detaches
 * things ("Forces the deletion of a certificate if it is inactive and is not attached to an IoT thing").
 * The refusals carry AWS's texts (aws-messages.ts); PENDING_TRANSFER has none known.
 */
export async function DeleteCertificate(input: DeleteCertificateRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, `cert/${normalizeId(input.certificateId)}`);
    const c = await requireCertificate(tx, ctx, input.certificateId);
    if (c.status === 'ACTIVE') throw awsError('certificateActive', { certificateId: c.certificateId });
    if (c.status === 'PENDING_TRANSFER') {
      throw new CertificateStateException(`Certificate ${c.certificateId} is PENDING_TRANSFER; cancel or reject the transfer before deleting it.`);
    }
    if ((await tx.thingPrincipals.byPrincipal(ctx, c.arn, { limit: 1 })).length > 0) throw awsError('certificateThingsAttached', { certificateArn: c.arn });
    if ((await tx.policyTargets.countForTarget(ctx, c.arn)) > 0) {
      if (!input.forceDelete) throw awsError('certificatePoliciesAttached', { certificateArn: c.arn });
      await tx.policyTargets.detachAllFrom(ctx, c.arn);
    }
    await tx.certificates.delete(ctx, c.certificateId);
  });
}
