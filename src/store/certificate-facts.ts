import type { Driver } from './driver.js';
import { factColumns, type StoredCertificateFacts } from './certificates.js';
import { all, qb, run } from './sql.js';

/** Device certificates or CA certificates: the two tables that carry certificate facts. */
export type CertificateKind = 'device' | 'ca';

const TABLE = { device: 'certificates', ca: 'ca_certificates' } as const;

/** A stored certificate whose facts are not known yet (stored before schema version 9). */
export interface CertificateWithoutFacts {
  accountId: string;
  region: string;
  certificateId: string;
  pem: string;
}

/** The facts columns of both certificate tables, for the backfill after migration 009 (any scope). */
export class CertificateFactsRepo {
  constructor(private readonly db: Driver) {}

  /** Up to `limit` certificates of any scope whose facts are missing. */
  async missing(kind: CertificateKind, limit: number): Promise<CertificateWithoutFacts[]> {
    const query = qb(this.db).selectFrom(TABLE[kind]).select(['account_id', 'region', 'certificate_id', 'pem']).where('serial_number', 'is', null).limit(limit);
    return (await all(this.db, query)).map((r) => ({ accountId: r.account_id, region: r.region, certificateId: r.certificate_id, pem: r.pem }));
  }

  async set(kind: CertificateKind, c: Omit<CertificateWithoutFacts, 'pem'>, facts: StoredCertificateFacts): Promise<void> {
    const query = qb(this.db)
      .updateTable(TABLE[kind])
      .set(factColumns(facts))
      .where('account_id', '=', c.accountId)
      .where('region', '=', c.region)
      .where('certificate_id', '=', c.certificateId);
    await run(this.db, query);
  }
}
