import type { Context } from '../../context/context.js';
import type { TransferCertificateRequest, TransferCertificateResponse } from '../../generated/shapes.js';
import { startTransfer } from '../../registry/certificate-transfers.js';

/**
 * The certificate becomes PENDING_TRANSFER to targetAwsAccount, which can then describe, list,
 * accept or reject it; the source keeps it (and can cancel) until then. It must be INACTIVE with
 * no policy or thing attached (src/registry/certificate-transfers.ts holds the rules).
 */
export async function TransferCertificate(input: TransferCertificateRequest, ctx: Context): Promise<TransferCertificateResponse> {
  const arn = await ctx.store.transaction((tx) => startTransfer(tx, ctx, input.certificateId, input.targetAwsAccount, input.transferMessage));
  return { transferredCertificateArn: arn };
}
