import type { Scope } from '../api/context.js';
import { certificateFacts, type CertificateFacts } from '../registry/cert-facts.js';
import type { Driver } from './driver.js';

export interface CertificateRecord {
  certificateId: string;
  arn: string;
  /** The AWS status string (ACTIVE, INACTIVE, REVOKED, PENDING_TRANSFER, REGISTER_INACTIVE, PENDING_ACTIVATION). */
  status: string;
  caCertificateId?: string;
  pem: string;
  certificateMode: string;
  ownedBy: string;
  previousOwnedBy?: string;
  transferData?: Record<string, unknown>;
  generationId: string;
  customerVersion: number;
  notBefore: Date;
  notAfter: Date;
  createdAt: Date;
  modifiedAt: Date;
}

interface Row {
  certificate_id: string;
  arn: string;
  status: string;
  ca_certificate_id: string | null;
  pem: string;
  certificate_mode: string;
  owned_by: string;
  previous_owned_by: string | null;
  transfer_data: string | null;
  generation_id: string;
  customer_version: number;
  not_before: number;
  not_after: number;
  created_at: number;
  modified_at: number;
}

const COLUMNS =
  'certificate_id, arn, status, ca_certificate_id, pem, certificate_mode, owned_by, previous_owned_by, transfer_data, generation_id, customer_version, not_before, not_after, created_at, modified_at';

/** The audit facts columns (migration 009), written with every certificate and CA certificate. */
export const FACT_COLUMNS = 'serial_number, issuer, key_quality, crl_urls';

export const factValues = (f: CertificateFacts): unknown[] => [f.serialNumber, f.issuer, f.keyQuality, f.crlUrls];

const fromRow = (r: Row): CertificateRecord => ({
  certificateId: r.certificate_id,
  arn: r.arn,
  status: r.status,
  caCertificateId: r.ca_certificate_id ?? undefined,
  pem: r.pem,
  certificateMode: r.certificate_mode,
  ownedBy: r.owned_by,
  previousOwnedBy: r.previous_owned_by ?? undefined,
  transferData: r.transfer_data ? (JSON.parse(r.transfer_data) as Record<string, unknown>) : undefined,
  generationId: r.generation_id,
  customerVersion: Number(r.customer_version),
  notBefore: new Date(Number(r.not_before)),
  notAfter: new Date(Number(r.not_after)),
  createdAt: new Date(Number(r.created_at)),
  modifiedAt: new Date(Number(r.modified_at)),
});

/** Where a page in creation order starts: after this (creation time, id). */
export interface CreationKey {
  createdAt: number;
  id: string;
}

/**
 * Keyset condition and order for a list in (created_at, certificate_id) order, either direction.
 * Shared by device and CA certificate lists.
 */
export function creationPage(ascending: boolean, after: CreationKey | undefined, where: string[], params: unknown[]): string {
  const cmp = ascending ? '>' : '<';
  if (after) {
    where.push(`(created_at ${cmp} ? OR (created_at = ? AND certificate_id ${cmp} ?))`);
    params.push(after.createdAt, after.createdAt, after.id);
  }
  const dir = ascending ? 'ASC' : 'DESC';
  return `ORDER BY created_at ${dir}, certificate_id ${dir}`;
}

/** Device certificates (table `certificates` of the contract). */
export class CertificateRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, certificateId: string): Promise<CertificateRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM certificates WHERE account_id = ? AND region = ? AND certificate_id = ?`, [
      scope.accountId,
      scope.region,
      certificateId,
    ]);
    return row && fromRow(row);
  }

  /**
   * One statement: inserts unless the id is already registered in the scope; false when it was.
   * `facts` are what the audit checks read (serial, issuer, key quality, CRL URLs); callers that
   * have parsed the certificate pass them, otherwise the PEM is parsed here.
   */
  async insertIfAbsent(scope: Scope, c: CertificateRecord, facts: CertificateFacts = certificateFacts(c.pem)): Promise<boolean> {
    const n = await this.db.run(
      `INSERT INTO certificates (account_id, region, ${COLUMNS}, ${FACT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, certificate_id) DO NOTHING`,
      [
        scope.accountId,
        scope.region,
        c.certificateId,
        c.arn,
        c.status,
        c.caCertificateId ?? null,
        c.pem,
        c.certificateMode,
        c.ownedBy,
        c.previousOwnedBy ?? null,
        c.transferData ? JSON.stringify(c.transferData) : null,
        c.generationId,
        c.customerVersion,
        c.notBefore.getTime(),
        c.notAfter.getTime(),
        c.createdAt.getTime(),
        c.modifiedAt.getTime(),
        ...factValues(facts),
      ],
    );
    return n > 0;
  }

  /** Sets the status with a new generation id; the customer version goes up by one. */
  async setStatus(scope: Scope, certificateId: string, status: string, generationId: string, modifiedAt: Date): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE certificates SET status = ?, generation_id = ?, customer_version = customer_version + 1, modified_at = ?
       WHERE account_id = ? AND region = ? AND certificate_id = ?`,
      [status, generationId, modifiedAt.getTime(), scope.accountId, scope.region, certificateId],
    );
    return n > 0;
  }

  async delete(scope: Scope, certificateId: string): Promise<boolean> {
    const n = await this.db.run('DELETE FROM certificates WHERE account_id = ? AND region = ? AND certificate_id = ?', [
      scope.accountId,
      scope.region,
      certificateId,
    ]);
    return n > 0;
  }

  /** A page in creation order (newest first unless ascending), optionally only those signed by one CA; limit + 1 rows. */
  async list(scope: Scope, opts: { caCertificateId?: string; ascending: boolean; after?: CreationKey; limit: number }): Promise<CertificateRecord[]> {
    const where = ['account_id = ?', 'region = ?'];
    const params: unknown[] = [scope.accountId, scope.region];
    if (opts.caCertificateId !== undefined) {
      where.push('ca_certificate_id = ?');
      params.push(opts.caCertificateId);
    }
    const order = creationPage(opts.ascending, opts.after, where, params);
    params.push(opts.limit + 1);
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM certificates WHERE ${where.join(' AND ')} ${order} LIMIT ?`, params);
    return rows.map(fromRow);
  }

  async countByCa(scope: Scope, caCertificateId: string): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM certificates WHERE account_id = ? AND region = ? AND ca_certificate_id = ?', [
      scope.accountId,
      scope.region,
      caCertificateId,
    ]);
    return Number(row?.n ?? 0);
  }
}
