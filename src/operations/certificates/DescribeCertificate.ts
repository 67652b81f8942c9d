import type { Context } from '../../context/context.js';
import type { CertificateMode, CertificateStatus, DescribeCertificateRequest, DescribeCertificateResponse } from '../../generated/shapes.js';
import { describableCertificate } from '../../registry/certificate-transfers.js';

/** The caller's certificate, or one pending transfer to the caller from another account (as AWS lets the target see it). */
export async function DescribeCertificate(input: DescribeCertificateRequest, ctx: Context): Promise<DescribeCertificateResponse> {
  const c = await describableCertificate(ctx.store.repos, ctx, input.certificateId);
  return {
    certificateDescription: {
      certificateArn: c.arn,
      certificateId: c.certificateId,
      caCertificateId: c.caCertificateId,
      status: c.status as CertificateStatus,
      certificatePem: c.pem,
      ownedBy: c.ownedBy,
      previousOwnedBy: c.previousOwnedBy,
      creationDate: c.createdAt,
      lastModifiedDate: c.modifiedAt,
      customerVersion: c.customerVersion,
      // AWS shows {} for a certificate never transferred (the CLI's describe-certificate example).
      transferData: c.transferData ?? {},
      generationId: c.generationId,
      validity: { notBefore: c.notBefore, notAfter: c.notAfter },
      certificateMode: c.certificateMode as CertificateMode,
    },
  };
}
