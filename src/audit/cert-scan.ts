import type { ResourceIdentifier, ResourceType } from '../generated/shapes.js';
import type { CertTable } from '../store/certificate-audit.js';
import { breathe, type CheckContext, type CheckResult } from './check.js';

/**
 * What the certificate checks share: the two certificate tables, paging in certificate-id order
 * (a page at a time, so 100,000 certificates never sit in memory as rows), and the day thresholds
 * of a check's configuration. The audited statuses and the queries are CertificateAuditRepo's.
 */
export type { CertTable } from '../store/certificate-audit.js';

const PAGE = 5000;

/** How a finding names a certificate of the table. */
export function certResource(table: CertTable, id: string): { resourceType: ResourceType; resourceIdentifier: ResourceIdentifier } {
  return table === 'certificates'
    ? { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: id } }
    : { resourceType: 'CA_CERTIFICATE', resourceIdentifier: { caCertificateId: id } };
}

/** The scope's certificates in the audited statuses (auditDetails.totalResourcesCount). */
export function countAudited(ctx: CheckContext, table: CertTable): Promise<number> {
  return ctx.repos.certificateAudit.countAudited(ctx.scope, table);
}

/**
 * The pages `page` answers (a keyset page of at most `limit` certificates with ids after
 * `afterId`), in id order until one comes back short. Lets requests in between pages and stops
 * with the signal's reason when the audit is canceled.
 */
export async function* auditedPages<T extends { certificateId: string }>(
  ctx: CheckContext,
  page: (afterId: string, limit: number) => Promise<T[]>,
): AsyncGenerator<T[]> {
  let after = '';
  for (;;) {
    await breathe();
    ctx.signal.throwIfAborted();
    const rows = await page(after, PAGE);
    if (rows.length) yield rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].certificateId;
  }
}

/**
 * A whole number of days from the check's configuration (`key`), or `fallback` when it is not
 * set. Anything else cannot be evaluated: the check is answered FAILED, naming the value.
 */
export function thresholdDays(ctx: CheckContext, key: string, fallback: number): number | Extract<CheckResult, { status: 'failed' }> {
  const raw = ctx.configuration[key];
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw.trim()) || Number(raw) < 1) {
    return { status: 'failed', errorCode: 'INVALID_CONFIGURATION', message: `${key} must be a whole number of days, 1 or more; the configuration has "${raw}".` };
  }
  return Number(raw);
}
