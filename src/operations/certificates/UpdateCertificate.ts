import type { Context } from '../../context/context.js';
import type { UpdateCertificateRequest } from '../../generated/shapes.js';
import { updateCertificateStatus } from '../../registry/certificates.js';

/** AWS's state machine lives in updateCertificateStatus, which the mitigation engine shares. */
export async function UpdateCertificate(input: UpdateCertificateRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => updateCertificateStatus(tx, ctx, input.certificateId, input.newStatus));
}
