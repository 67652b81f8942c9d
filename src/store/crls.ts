import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

/** Where a stored CRL came from: an upload (POST /_warden/crls) or the distribution point URL it was fetched from. */
export const UPLOADED = 'upload';

/** One verified certificate revocation list (table `crls` of migration 009). */
export interface CrlRecord {
  /** Hex SHA-256 of the DER. */
  crlId: string;
  /** The CRL's issuer in node's form, the same as ca_certificates.subject and certificates.issuer. */
  issuer: string;
  der: Buffer;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** UPLOADED, or the URL. */
  source: string;
  storedAt: Date;
}

/** A stored CRL without its bytes. */
export type CrlHeader = Omit<CrlRecord, 'der'>;

interface Row {
  crl_id: string;
  issuer: string;
  der?: string;
  this_update: number;
  next_update: number | null;
  source: string;
  stored_at: number;
}

const HEADER = 'crl_id, issuer, this_update, next_update, source, stored_at';

const header = (r: Row): CrlHeader => ({
  crlId: r.crl_id,
  issuer: r.issuer,
  thisUpdate: new Date(Number(r.this_update)),
  nextUpdate: r.next_update === null ? undefined : new Date(Number(r.next_update)),
  source: r.source,
  storedAt: new Date(Number(r.stored_at)),
});

/**
 * The CRLs an account has given Warden or Warden has fetched for it. Each source keeps only its
 * newest CRL: one per distribution point URL, and one uploaded per issuer. A scope holds few rows
 * (about one per CA), so reads take them all.
 */
export class CrlRepo {
  constructor(private readonly db: Driver) {}

  /** Every stored CRL of the scope, without the DER. */
  async headers(scope: Scope): Promise<CrlHeader[]> {
    const rows = await this.db.all<Row>(`SELECT ${HEADER} FROM crls WHERE account_id = ? AND region = ? ORDER BY issuer, this_update DESC, crl_id`, [
      scope.accountId,
      scope.region,
    ]);
    return rows.map(header);
  }

  async der(scope: Scope, crlId: string): Promise<Buffer | undefined> {
    const row = await this.db.get<{ der: string }>('SELECT der FROM crls WHERE account_id = ? AND region = ? AND crl_id = ?', [scope.accountId, scope.region, crlId]);
    return row && Buffer.from(row.der, 'base64');
  }

  /** The newest CRL stored from `source` (for uploads, of `issuer`). */
  async newest(scope: Scope, source: string, issuer?: string): Promise<CrlHeader | undefined> {
    const params: unknown[] = [scope.accountId, scope.region, source];
    if (issuer !== undefined) params.push(issuer);
    const row = await this.db.get<Row>(
      `SELECT ${HEADER} FROM crls WHERE account_id = ? AND region = ? AND source = ?${issuer !== undefined ? ' AND issuer = ?' : ''}
       ORDER BY this_update DESC, stored_at DESC LIMIT 1`,
      params,
    );
    return row && header(row);
  }

  /**
   * Stores `c` in place of what its source held before: the other CRLs of the same URL, or for an
   * upload the other uploaded CRLs of the same issuer. Storing the same DER again refreshes it.
   */
  async replace(scope: Scope, c: CrlRecord): Promise<void> {
    const same = c.source === UPLOADED ? ' AND issuer = ?' : '';
    await this.db.run(`DELETE FROM crls WHERE account_id = ? AND region = ? AND source = ?${same} AND crl_id <> ?`, [
      scope.accountId,
      scope.region,
      c.source,
      ...(same ? [c.issuer] : []),
      c.crlId,
    ]);
    await this.db.run(
      `INSERT INTO crls (account_id, region, crl_id, issuer, der, this_update, next_update, source, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, crl_id) DO UPDATE SET source = excluded.source, stored_at = excluded.stored_at`,
      [
        scope.accountId,
        scope.region,
        c.crlId,
        c.issuer,
        c.der.toString('base64'),
        c.thisUpdate.getTime(),
        c.nextUpdate?.getTime() ?? null,
        c.source,
        c.storedAt.getTime(),
      ],
    );
  }
}
