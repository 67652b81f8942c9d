import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { CertificateStatus } from '../../generated/shapes.js';
import type { CertificateRecord, CreationKey } from '../../store/certificates.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';

/**
 * Page markers of the certificate lists: the shared page token in the Marker alphabet. The
 * direction is part of the list name, so a marker of an ascending list is refused by a descending one.
 */
export function encodeMarker(list: string, ascending: boolean, last: { createdAt: Date; id: string }): string {
  return encodeToken(`${list}-${ascending ? 'asc' : 'desc'}`, { c: last.createdAt.getTime(), i: last.id }, 'base64');
}

export function decodeMarker(list: string, ascending: boolean, marker: string | undefined): CreationKey | undefined {
  const pos = decodeToken<{ c: number; i: string }>(`${list}-${ascending ? 'asc' : 'desc'}`, marker, 'marker');
  if (pos && (typeof pos.c !== 'number' || typeof pos.i !== 'string')) {
    throw new InvalidRequestException(`The marker '${marker!.slice(0, 64)}' is not valid for this list; pass the nextMarker of the previous response unchanged.`);
  }
  return pos && { createdAt: pos.c, id: pos.i };
}

/**
 * ListCertificates shows the target of a transfer the certificates pending transfer to it ("To check
 * for pending certificate transfers, call ListCertificates"): the account's own page and the page
 * of those, merged in the same (creation date, id) order; limit + 1 rows, an own row winning a tie.
 */
function mergeIncoming(own: CertificateRecord[], incoming: CertificateRecord[], ascending: boolean, limit: number): CertificateRecord[] {
  if (incoming.length === 0) return own;
  const ids = new Set(own.map((c) => c.certificateId));
  const key = (c: CertificateRecord): [number, string] => [c.createdAt.getTime(), c.certificateId];
  const cmp = (a: CertificateRecord, b: CertificateRecord): number => {
    const [[ta, ia], [tb, ib]] = [key(a), key(b)];
    const d = ta !== tb ? ta - tb : ia < ib ? -1 : ia > ib ? 1 : 0;
    return ascending ? d : -d;
  };
  return [...own, ...incoming.filter((c) => !ids.has(c.certificateId))].sort(cmp).slice(0, limit + 1);
}

/** One page of device certificates in the shape ListCertificates and ListCertificatesByCA answer. */
export async function certificatePage(
  ctx: Context,
  operation: 'ListCertificates' | 'ListCertificatesByCA',
  list: string,
  input: { pageSize?: number; marker?: string; ascendingOrder?: boolean; caCertificateId?: string },
) {
  const ascending = input.ascendingOrder ?? false;
  const limit = pageSizeOf(operation, input.pageSize);
  const after = decodeMarker(list, ascending, input.marker);
  const repo = ctx.store.repos.certificates;
  let rows = await repo.list(ctx, { caCertificateId: input.caCertificateId, ascending, after, limit });
  if (list === 'certificates') rows = mergeIncoming(rows, await repo.incomingTransfers(ctx, { ascending, after, limit }), ascending, limit);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    certificates: page.map((c: CertificateRecord) => ({
      certificateArn: c.arn,
      certificateId: c.certificateId,
      status: c.status as CertificateStatus,
      certificateMode: c.certificateMode as 'DEFAULT' | 'SNI_ONLY',
      creationDate: c.createdAt,
    })),
    nextMarker: rows.length > limit ? encodeMarker(list, ascending, { createdAt: last.createdAt, id: last.certificateId }) : undefined,
  };
}

/** The status a registration asks for: `status`, else the deprecated `setAsActive`, else INACTIVE. */
export function requestedStatus(status: CertificateStatus | undefined, setAsActive: boolean | undefined): CertificateStatus {
  return status ?? (setAsActive ? 'ACTIVE' : 'INACTIVE');
}
