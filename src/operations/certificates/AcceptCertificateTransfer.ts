import type { Context } from '../../context/context.js';
import type { AcceptCertificateTransferRequest } from '../../generated/shapes.js';
import { acceptTransfer } from '../../registry/certificate-transfers.js';

/** The certificate pending transfer to the caller moves into its account: INACTIVE ("the default state"), or ACTIVE with setAsActive. */
export async function AcceptCertificateTransfer(input: AcceptCertificateTransferRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => acceptTransfer(tx, ctx, input.certificateId, input.setAsActive ?? false));
}
