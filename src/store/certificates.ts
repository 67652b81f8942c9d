import type { Scope } from '../base/scope.js';
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
  transferData?: TransferDataRecord;
  /** The account the latest transfer offered the certificate to (kept after the transfer ends). */
  transferTarget?: string;
  generationId: string;
  customerVersion: number;
  notBefore: Date;
  notAfter: Date;
  createdAt: Date;
  modifiedAt: Date;
}

/** DescribeCertificate's `transferData`: the latest transfer's message, reason and dates. */
export interface TransferDataRecord {
  transferMessage?: string;
  rejectReason?: string;
  transferDate?: Date;
  acceptDate?: Date;
  rejectDate?: Date;
}

/** A certificate together with the account whose row it is (lookups across the accounts of a region). */
export type LocatedCertificate = CertificateRecord & { accountId: string };

const TRANSFER_DATES = ['transferDate', 'acceptDate', 'rejectDate'] as const;

/** Stored as JSON with the dates in epoch milliseconds. */
const transferJson = (t: TransferDataRecord | undefined): string | null => {
  if (!t) return null;
  const out: Record<string, unknown> = { ...t };
  for (const k of TRANSFER_DATES) if (t[k]) out[k] = t[k]!.getTime();
  return JSON.stringify(out);
};

const transferFromJson = (json: string | null): TransferDataRecord | undefined => {
  if (!json) return undefined;
  const raw = JSON.parse(json) as Record<string, unknown>;
  const t: TransferDataRecord = {};
  if (typeof raw.transferMessage === 'string') t.transferMessage = raw.transferMessage;
  if (typeof raw.rejectReason === 'string') t.rejectReason = raw.rejectReason;
  for (const k of TRANSFER_DATES) if (typeof raw[k] === 'number' || typeof raw[k] === 'string') t[k] = new Date(raw[k] as number | string);
  return t;
};

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
  transfer_target: string | null;
  generation_id: string;
  customer_version: number;
  not_before: number;
  not_after: number;
  created_at: number;
  modified_at: number;
}

const COLUMNS =
  'certificate_id, arn, status, ca_certificate_id, pem, certificate_mode, owned_by, previous_owned_by, transfer_data, transfer_target, generation_id, customer_version, not_before, not_after, created_at, modified_at';

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
  transferData: transferFromJson(r.transfer_data),
  transferTarget: r.transfer_target ?? undefined,
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
      `INSERT INTO certificates (account_id, region, ${COLUMNS}, ${FACT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
        transferJson(c.transferData),
        c.transferTarget ?? null,
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

  /** The certificate's rows in every account of the region (one, or a few for a certificate registered in several accounts). */
  async inRegion(region: string, certificateId: string): Promise<LocatedCertificate[]> {
    const rows = await this.db.all<Row & { account_id: string }>(`SELECT account_id, ${COLUMNS} FROM certificates WHERE region = ? AND certificate_id = ? ORDER BY account_id`, [
      region,
      certificateId,
    ]);
    return rows.map((r) => ({ ...fromRow(r), accountId: r.account_id }));
  }

  /**
   * Certificates of other accounts pending transfer to the scope's account, in creation order
   * (newest first unless ascending), as `list` pages them; limit + 1 rows.
   */
  async incomingTransfers(scope: Scope, opts: { ascending: boolean; after?: CreationKey; limit: number }): Promise<CertificateRecord[]> {
    const where = ['region = ?', 'transfer_target = ?', "status = 'PENDING_TRANSFER'", 'account_id <> ?'];
    const params: unknown[] = [scope.region, scope.accountId, scope.accountId];
    const order = creationPage(opts.ascending, opts.after, where, params);
    params.push(opts.limit + 1);
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM certificates WHERE ${where.join(' AND ')} ${order} LIMIT ?`, params);
    return rows.map(fromRow);
  }

  /**
   * A step of a transfer that keeps the certificate in its account (start, reject, cancel): status,
   * target and transfer data, with a new generation and the customer version one higher, only
   * while the status is still `from`; false when it was not.
   */
  async updateTransfer(
    scope: Scope,
    certificateId: string,
    from: string,
    to: { status: string; transferTarget: string; transferData: TransferDataRecord; generationId: string; modifiedAt: Date },
  ): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE certificates SET status = ?, transfer_target = ?, transfer_data = ?, generation_id = ?, customer_version = customer_version + 1, modified_at = ?
       WHERE account_id = ? AND region = ? AND certificate_id = ? AND status = ?`,
      [to.status, to.transferTarget, transferJson(to.transferData), to.generationId, to.modifiedAt.getTime(), scope.accountId, scope.region, certificateId, from],
    );
    return n > 0;
  }

  /**
   * An accepted transfer: the row (with its audit facts and creation date) moves from `from` to
   * the account `to`, with the given ARN, status, owners and transfer data, a new generation and the
   * customer version one higher. False, and nothing changes, when `to` already holds a certificate
   * with that id.
   */
  async moveTo(
    from: Scope,
    to: string,
    certificateId: string,
    c: { arn: string; status: string; ownedBy: string; previousOwnedBy: string; transferData: TransferDataRecord; generationId: string; modifiedAt: Date },
  ): Promise<boolean> {
    const n = await this.db.run(
      `INSERT INTO certificates (account_id, region, ${COLUMNS}, ${FACT_COLUMNS})
       SELECT ?, region, certificate_id, ?, ?, ca_certificate_id, pem, certificate_mode, ?, ?, ?, transfer_target, ?, customer_version + 1, not_before, not_after, created_at, CAST(? AS BIGINT), ${FACT_COLUMNS}
       FROM certificates WHERE account_id = ? AND region = ? AND certificate_id = ?
       ON CONFLICT (account_id, region, certificate_id) DO NOTHING`,
      [to, c.arn, c.status, c.ownedBy, c.previousOwnedBy, transferJson(c.transferData), c.generationId, c.modifiedAt.getTime(), from.accountId, from.region, certificateId],
    );
    if (n === 0) return false;
    await this.delete(from, certificateId);
    return true;
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
