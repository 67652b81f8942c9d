import type { Context } from '../../context/context.js';
import type { AutoRegistrationStatus, CACertificateStatus, CertificateMode, DescribeCACertificateRequest, DescribeCACertificateResponse } from '../../generated/shapes.js';
import { requireCaCertificate } from '../../registry/certificates.js';

export async function DescribeCACertificate(input: DescribeCACertificateRequest, ctx: Context): Promise<DescribeCACertificateResponse> {
  const c = await requireCaCertificate(ctx.store.repos, ctx, input.certificateId);
  return {
    certificateDescription: {
      certificateArn: c.arn,
      certificateId: c.certificateId,
      status: c.status as CACertificateStatus,
      certificatePem: c.pem,
      ownedBy: c.ownedBy,
      creationDate: c.createdAt,
      autoRegistrationStatus: c.autoRegistrationStatus as AutoRegistrationStatus,
      lastModifiedDate: c.modifiedAt,
      customerVersion: c.customerVersion,
      generationId: c.generationId,
      validity: { notBefore: c.notBefore, notAfter: c.notAfter },
      certificateMode: c.certificateMode as CertificateMode,
    },
    registrationConfig: c.registrationConfig,
  };
}
