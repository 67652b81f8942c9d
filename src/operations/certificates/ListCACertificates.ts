import type { Context } from '../../context/context.js';
import type { CACertificateStatus, ListCACertificatesRequest, ListCACertificatesResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeMarker, encodeMarker } from './helpers.js';

/** Newest first unless ascendingOrder; templateName keeps the CAs whose registration config names that template. */
export async function ListCACertificates(input: ListCACertificatesRequest, ctx: Context): Promise<ListCACertificatesResponse> {
  const ascending = input.ascendingOrder ?? false;
  const limit = pageSizeOf('ListCACertificates', input.pageSize);
  const list = `ca-certificates-${input.templateName ?? ''}`;
  const after = decodeMarker(list, ascending, input.marker);
  const rows = await ctx.store.repos.caCertificates.list(ctx, { templateName: input.templateName, ascending, after, limit });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    certificates: page.map((c) => ({ certificateArn: c.arn, certificateId: c.certificateId, status: c.status as CACertificateStatus, creationDate: c.createdAt })),
    nextMarker: rows.length > limit ? encodeMarker(list, ascending, { createdAt: last.createdAt, id: last.certificateId }) : undefined,
  };
}
