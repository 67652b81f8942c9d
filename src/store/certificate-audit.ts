import type { Compilable } from 'kysely';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { after, all, prepared, qb, type Q, selectIn } from './sql.js';

/**
 * What the audit checks read of the two certificate tables (certificates.ts and
 * ca-certificates.ts hold the registry's own reads and writes). Every read is of the certificates
 * in the audited statuses, "ACTIVE or PENDING_TRANSFER" in AWS's check pages. The checks that scan
 * a table go a keyset page at a time in certificate-id order, so 100,000 certificates never sit
 * in memory as rows; each page is one prepared query.
 */
export type CertTable = 'certificates' | 'ca_certificates';

/** The statuses a certificate is audited in. */
const AUDITED = ['ACTIVE', 'PENDING_TRANSFER'];

/** The URLs of one crl_urls column (a JSON array; null or malformed names none). */
export function crlUrlsOf(json: string | null): string[] {
  if (!json) return [];
  try {
    const urls = JSON.parse(json) as unknown;
    return Array.isArray(urls) ? urls.filter((u): u is string => typeof u === 'string') : [];
  } catch {
    return [];
  }
}

/** A prepared query for each certificate table (the two share the columns the audit reads). */
function perTable<A extends unknown[], O>(build: (table: CertTable) => (q: Q, ...args: A) => Compilable<O>) {
  return { certificates: prepared(build('certificates')), ca_certificates: prepared(build('ca_certificates')) };
}

const counts = perTable((table) => (q, accountId: string, region: string) =>
  q
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('status', 'in', AUDITED),
);

const expiring = perTable((table) => (q, accountId: string, region: string, notAfterBy: number, afterId: string, limit: number) =>
  q
    .selectFrom(table)
    .select(['certificate_id', 'not_after'])
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('status', 'in', AUDITED)
    .where('not_after', '<=', notAfterBy)
    .where('certificate_id', '>', afterId)
    .orderBy('certificate_id')
    .limit(limit),
);

const weakKeys = perTable((table) => (q, accountId: string, region: string, afterId: string, limit: number) =>
  q
    .selectFrom(table)
    .select(['certificate_id', 'key_quality'])
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('status', 'in', AUDITED)
    .where('key_quality', 'is not', null)
    .where('certificate_id', '>', afterId)
    .orderBy('certificate_id')
    .limit(limit),
);

const aged = prepared((q, accountId: string, region: string, notBeforeBy: number, afterId: string, limit: number) =>
  q
    .selectFrom('certificates')
    .select(['certificate_id', 'not_before'])
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('status', 'in', AUDITED)
    .where('not_before', '<=', notBeforeBy)
    .where('certificate_id', '>', afterId)
    .orderBy('certificate_id')
    .limit(limit),
);

/** The device certificates an issuer name issued, in (serial number, id) order: the first page, and those after a position. */
const issuedFirst = prepared((q, accountId: string, region: string, issuer: string, limit: number) => issuedBy(q, accountId, region, issuer).limit(limit));
const issuedAfter = prepared((q, accountId: string, region: string, issuer: string, serial: string, id: string, limit: number) =>
  issuedBy(q, accountId, region, issuer)
    .where((eb) => after(eb, ['serial_number', 'certificate_id'], [serial, id], false))
    .limit(limit),
);

function issuedBy(q: Q, accountId: string, region: string, issuer: string) {
  return q
    .selectFrom('certificates')
    .select(['certificate_id', 'arn', 'ca_certificate_id', 'serial_number'])
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('issuer', '=', issuer)
    .where('status', 'in', AUDITED)
    .orderBy('serial_number')
    .orderBy('certificate_id');
}

/** An audited CA certificate as the revocation checks match it against CRLs. */
export interface AuditedCa {
  certificateId: string;
  subject: string;
  issuer?: string;
  serialNumber?: string;
  crlUrls: string[];
}

/** A CA certificate that names its issuer and serial number (one that a CRL of its issuer can revoke). */
export type IssuingCa = AuditedCa & { issuer: string; serialNumber: string };

/** An audited device certificate of one issuer name. */
export interface IssuedDevice {
  certificateId: string;
  arn: string;
  caCertificateId?: string;
  serialNumber: string;
}

export class CertificateAuditRepo {
  constructor(private readonly db: Driver) {}

  /** The scope's certificates of `table` in the audited statuses (auditDetails.totalResourcesCount). */
  async countAudited(scope: Scope, table: CertTable): Promise<number> {
    const row = await counts[table](this.db, scope.accountId, scope.region).first();
    return Number(row?.n ?? 0);
  }

  /** One page of the audited certificates whose notAfter is at or before `by`, ids after `afterId`. */
  async expiringPage(scope: Scope, table: CertTable, by: Date, afterId: string, limit: number): Promise<{ certificateId: string; notAfter: Date }[]> {
    const rows = await expiring[table](this.db, scope.accountId, scope.region, by.getTime(), afterId, limit).all();
    return rows.map((r) => ({ certificateId: r.certificate_id, notAfter: new Date(Number(r.not_after)) }));
  }

  /** One page of the audited device certificates valid since `by` or earlier, ids after `afterId`. */
  async agedPage(scope: Scope, by: Date, afterId: string, limit: number): Promise<{ certificateId: string; notBefore: Date }[]> {
    const rows = await aged(this.db, scope.accountId, scope.region, by.getTime(), afterId, limit).all();
    return rows.map((r) => ({ certificateId: r.certificate_id, notBefore: new Date(Number(r.not_before)) }));
  }

  /** One page of the audited certificates whose key failed a quality test (stored with the certificate), ids after `afterId`. */
  async weakKeyPage(scope: Scope, table: CertTable, afterId: string, limit: number): Promise<{ certificateId: string; keyQuality: string }[]> {
    const rows = await weakKeys[table](this.db, scope.accountId, scope.region, afterId, limit).all();
    return rows.map((r) => ({ certificateId: r.certificate_id, keyQuality: r.key_quality! }));
  }

  /**
   * The audited device certificates grouped by their CRL distribution points (most have none): one
   * pass over the table, index-only on (account_id, region, status, crl_urls).
   */
  async crlUrlSurvey(scope: Scope): Promise<{ crlUrls: string[]; count: number }[]> {
    const query = qb(this.db)
      .selectFrom('certificates')
      .select((eb) => ['crl_urls', eb.fn.countAll().as('n')])
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('status', 'in', AUDITED)
      .groupBy('crl_urls');
    return (await all(this.db, query)).map((r) => ({ crlUrls: crlUrlsOf(r.crl_urls), count: Number(r.n) }));
  }

  /** Every audited CA certificate of the scope (an account holds hundreds at most). */
  async auditedCas(scope: Scope): Promise<AuditedCa[]> {
    const query = qb(this.db)
      .selectFrom('ca_certificates')
      .select(['certificate_id', 'subject', 'issuer', 'serial_number', 'crl_urls'])
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('status', 'in', AUDITED);
    return (await all(this.db, query)).map(caOf);
  }

  /**
   * The CA certificates (any status) that are not self-issued, name their issuer and serial
   * number, and issued an audited device certificate: the intermediates whose revocation can
   * taint a device certificate.
   */
  async issuingIntermediates(scope: Scope): Promise<IssuingCa[]> {
    const query = qb(this.db)
      .selectFrom('ca_certificates as ca')
      .select(['ca.certificate_id', 'ca.subject', 'ca.issuer', 'ca.serial_number', 'ca.crl_urls'])
      .where('ca.account_id', '=', scope.accountId)
      .where('ca.region', '=', scope.region)
      .where('ca.issuer', 'is not', null)
      .where('ca.serial_number', 'is not', null)
      .whereRef('ca.issuer', '<>', 'ca.subject')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('certificates as c')
            .select(eb.lit(1).as('one'))
            .whereRef('c.account_id', '=', 'ca.account_id')
            .whereRef('c.region', '=', 'ca.region')
            .whereRef('c.issuer', '=', 'ca.subject')
            .where('c.status', 'in', AUDITED),
        ),
      );
    return (await all(this.db, query)).map((r) => ({ ...caOf(r), issuer: r.issuer!, serialNumber: r.serial_number! }));
  }

  /** The ids of the audited device certificates of `issuer` whose serial number is among `serials` (looked up in chunks on the (issuer, serial_number) index). */
  async revokedAmong(scope: Scope, issuer: string, serials: readonly string[]): Promise<string[]> {
    const rows = await selectIn(this.db, serials, (chunk) =>
      qb(this.db)
        .selectFrom('certificates')
        .select('certificate_id')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('issuer', '=', issuer)
        .where('serial_number', 'in', chunk)
        .where('status', 'in', AUDITED),
    );
    return rows.map((r) => r.certificate_id);
  }

  /** One page of the audited device certificates of `issuer`, in (serial number, id) order after `from`. */
  async issuedPage(scope: Scope, issuer: string, from: { serialNumber: string; certificateId: string } | undefined, limit: number): Promise<IssuedDevice[]> {
    const page = from
      ? issuedAfter(this.db, scope.accountId, scope.region, issuer, from.serialNumber, from.certificateId, limit)
      : issuedFirst(this.db, scope.accountId, scope.region, issuer, limit);
    return (await page.all()).map((r) => ({
      certificateId: r.certificate_id,
      arn: r.arn,
      caCertificateId: r.ca_certificate_id ?? undefined,
      serialNumber: r.serial_number!,
    }));
  }
}

const caOf = (r: { certificate_id: string; subject: string; issuer: string | null; serial_number: string | null; crl_urls: string | null }): AuditedCa => ({
  certificateId: r.certificate_id,
  subject: r.subject,
  issuer: r.issuer ?? undefined,
  serialNumber: r.serial_number ?? undefined,
  crlUrls: crlUrlsOf(r.crl_urls),
});
