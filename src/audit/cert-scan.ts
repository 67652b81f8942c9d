import type { ResourceIdentifier, ResourceType } from '../generated/shapes.js';
import { AUDITED_STATUS_SQL, breathe, type CheckContext, type CheckResult } from './check.js';

/**
 * What the certificate checks share: the two certificate tables, the audited statuses, paging in
 * certificate-id order (a page at a time, so 100,000 certificates never sit in memory as rows),
 * and the day thresholds of a check's configuration.
 */
export type CertTable = 'certificates' | 'ca_certificates';

const PAGE = 5000;

/** How a finding names a certificate of the table. */
export function certResource(table: CertTable, id: string): { resourceType: ResourceType; resourceIdentifier: ResourceIdentifier } {
  return table === 'certificates'
    ? { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: id } }
    : { resourceType: 'CA_CERTIFICATE', resourceIdentifier: { caCertificateId: id } };
}

/** The scope's certificates in the audited statuses (auditDetails.totalResourcesCount). */
export async function countAudited(ctx: CheckContext, table: CertTable): Promise<number> {
  const row = await ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ? AND region = ? AND ${AUDITED_STATUS_SQL}`, [ctx.scope.accountId, ctx.scope.region]);
  return Number(row?.n ?? 0);
}

/**
 * The audited certificates that also meet `where` (SQL over the table's columns, `?` for
 * `params`), page by page in id order; `columns` are selected besides certificate_id. Stops with
 * the signal's reason when the audit is canceled.
 */
export async function* auditedPages<T extends { certificate_id: string }>(
  ctx: CheckContext,
  table: CertTable,
  columns: string,
  where: string,
  params: unknown[],
): AsyncGenerator<T[]> {
  let after = '';
  for (;;) {
    await breathe();
    ctx.signal.throwIfAborted();
    const rows = await ctx.db.all<T>(
      `SELECT certificate_id, ${columns} FROM ${table}
       WHERE account_id = ? AND region = ? AND ${AUDITED_STATUS_SQL} AND (${where}) AND certificate_id > ?
       ORDER BY certificate_id LIMIT ${PAGE}`,
      [ctx.scope.accountId, ctx.scope.region, ...params, after],
    );
    if (rows.length) yield rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].certificate_id;
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
