import type { Context } from '../../api/context.js';
import type { CertificateMode, CertificateStatus, DescribeCertificateRequest, DescribeCertificateResponse } from '../../generated/shapes.js';
import { requireCertificate } from '../../registry/certificates.js';

export async function DescribeCertificate(input: DescribeCertificateRequest, ctx: Context): Promise<DescribeCertificateResponse> {
  const c = await requireCertificate(ctx.store.repos, ctx, input.certificateId);
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
