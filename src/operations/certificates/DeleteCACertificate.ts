import type { Context } from '../../context/context.js';
import { CertificateStateException } from '../../generated/errors.js';
import type { DeleteCACertificateRequest, DeleteCACertificateResponse } from '../../generated/shapes.js';
import { requireCaCertificate } from '../../registry/certificates.js';

/**
 * A CA certificate must be INACTIVE to be deleted, and no device certificate registered with it
 * may remain (the model lists only CertificateStateException for this operation, so both refusals
 * use it).
 */
export async function DeleteCACertificate(input: DeleteCACertificateRequest, ctx: Context): Promise<DeleteCACertificateResponse> {
  await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'ca-certificates');
    const ca = await requireCaCertificate(tx, ctx, input.certificateId);
    if (ca.status !== 'INACTIVE') {
      throw new CertificateStateException(`CA certificate ${ca.certificateId} is ${ca.status}; set it to INACTIVE with UpdateCACertificate before deleting it.`);
    }
    const devices = await tx.certificates.countByCa(ctx, ca.certificateId);
    if (devices > 0) {
      throw new CertificateStateException(`CA certificate ${ca.certificateId} still has ${devices} registered device certificate(s); delete them first.`);
    }
    await tx.caCertificates.delete(ctx, ca.certificateId);
    await tx.tags.removeAll(ctx, ca.arn);
  });
  return {};
}
