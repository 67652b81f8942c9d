import type { Context } from '../../context/context.js';
import type { ListCertificatesByCARequest, ListCertificatesByCAResponse } from '../../generated/shapes.js';
import { normalizeId } from '../../registry/certificates.js';
import { certificatePage } from './helpers.js';

/** The device certificates registered with one CA; an unknown CA has none (the model lists no ResourceNotFoundException). */
export async function ListCertificatesByCA(input: ListCertificatesByCARequest, ctx: Context): Promise<ListCertificatesByCAResponse> {
  const caCertificateId = normalizeId(input.caCertificateId);
  return certificatePage(ctx, 'ListCertificatesByCA', `certificates-by-ca-${caCertificateId}`, { ...input, caCertificateId });
}
