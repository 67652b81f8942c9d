import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { CrlsTable } from './schema.generated.js';
import { all, first, prepared, qb, run } from './sql.js';

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

const HEADER = ['crl_id', 'issuer', 'this_update', 'next_update', 'source', 'stored_at'] as const;
type Row = Pick<CrlsTable, (typeof HEADER)[number]>;

const header = (r: Row): CrlHeader => ({
  crlId: r.crl_id,
  issuer: r.issuer,
  thisUpdate: new Date(Number(r.this_update)),
  nextUpdate: r.next_update === null ? undefined : new Date(Number(r.next_update)),
  source: r.source,
  storedAt: new Date(Number(r.stored_at)),
});

const derById = prepared((q, accountId: string, region: string, crlId: string) =>
  q.selectFrom('crls').select('der').where('account_id', '=', accountId).where('region', '=', region).where('crl_id', '=', crlId),
);

/**
 * The CRLs an account has given Warden or Warden has fetched for it. Each source keeps only its
 * newest CRL: one per distribution point URL, and one uploaded per issuer. A scope holds few rows
 * (about one per CA), so reads take them all.
 */
export class CrlRepo {
  constructor(private readonly db: Driver) {}

  /** Every stored CRL of the scope, without the DER. */
  async headers(scope: Scope): Promise<CrlHeader[]> {
    const query = qb(this.db)
      .selectFrom('crls')
      .select(HEADER)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .orderBy('issuer')
      .orderBy('this_update', 'desc')
      .orderBy('crl_id');
    return (await all(this.db, query)).map(header);
  }

  async der(scope: Scope, crlId: string): Promise<Buffer | undefined> {
    const row = await derById(this.db, scope.accountId, scope.region, crlId).first();
    return row && Buffer.from(row.der, 'base64');
  }

  /** The newest CRL stored from `source` (for uploads, of `issuer`). */
  async newest(scope: Scope, source: string, issuer?: string): Promise<CrlHeader | undefined> {
    const query = qb(this.db)
      .selectFrom('crls')
      .select(HEADER)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('source', '=', source)
      .$if(issuer !== undefined, (w) => w.where('issuer', '=', issuer!))
      .orderBy('this_update', 'desc')
      .orderBy('stored_at', 'desc')
      .limit(1);
    const row = await first(this.db, query);
    return row && header(row);
  }

  /**
   * Stores `c` in place of what its source held before: the other CRLs of the same URL, or for an
   * upload the other uploaded CRLs of the same issuer. Storing the same DER again refreshes it.
   * One transaction (the caller's, when it has one).
   */
  async replace(scope: Scope, c: CrlRecord): Promise<void> {
    await this.db.transaction(async (tx) => {
      await run(
        tx,
        qb(tx)
          .deleteFrom('crls')
          .where('account_id', '=', scope.accountId)
          .where('region', '=', scope.region)
          .where('source', '=', c.source)
          .$if(c.source === UPLOADED, (w) => w.where('issuer', '=', c.issuer))
          .where('crl_id', '<>', c.crlId),
      );
      await run(
        tx,
        qb(tx)
          .insertInto('crls')
          .values({
            account_id: scope.accountId,
            region: scope.region,
            crl_id: c.crlId,
            issuer: c.issuer,
            der: c.der.toString('base64'),
            this_update: c.thisUpdate.getTime(),
            next_update: c.nextUpdate?.getTime() ?? null,
            source: c.source,
            stored_at: c.storedAt.getTime(),
          })
          .onConflict((oc) => oc.columns(['account_id', 'region', 'crl_id']).doUpdateSet((eb) => ({ source: eb.ref('excluded.source'), stored_at: eb.ref('excluded.stored_at') }))),
      );
    });
  }
}
