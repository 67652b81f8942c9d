import type { Context } from '../../context/context.js';
import type { RejectCertificateTransferRequest } from '../../generated/shapes.js';
import { rejectTransfer } from '../../registry/certificate-transfers.js';

/** By the transfer's target only: "the certificate will be returned to the source's account in the INACTIVE state", with rejectReason and rejectDate in its transferData. */
export async function RejectCertificateTransfer(input: RejectCertificateTransferRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => rejectTransfer(tx, ctx, input.certificateId, input.rejectReason));
}
