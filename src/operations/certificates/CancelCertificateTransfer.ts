import type { Context } from '../../context/context.js';
import type { CancelCertificateTransferRequest } from '../../generated/shapes.js';
import { cancelTransfer } from '../../registry/certificate-transfers.js';

/** By the transfer's source only, until the target accepts: the certificate goes from PENDING_TRANSFER back to INACTIVE. */
export async function CancelCertificateTransfer(input: CancelCertificateTransferRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => cancelTransfer(tx, ctx, input.certificateId));
}
