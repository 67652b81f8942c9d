import type { Context } from '../../context/context.js';
import type { ListCertificatesRequest, ListCertificatesResponse } from '../../generated/shapes.js';
import { certificatePage } from './helpers.js';

/** Newest first unless ascendingOrder; pages of pageSize (AWS's default 25) with an opaque nextMarker. */
export async function ListCertificates(input: ListCertificatesRequest, ctx: Context): Promise<ListCertificatesResponse> {
  return certificatePage(ctx, 'ListCertificates', 'certificates', input);
}
