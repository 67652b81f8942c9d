import type { Driver } from './driver.js';
import { prepared, qb, run } from './sql.js';

export interface WardenCaRecord {
  accountId: string;
  keyPem: string;
  certPem: string;
}

/** Read by every CreateKeysAndCertificate. */
const byAccount = prepared((q, accountId: string) => q.selectFrom('warden_cas').select(['key_pem', 'cert_pem']).where('account_id', '=', accountId));

/** Warden's own CA per account (all regions): it signs the certificates of CreateKeysAndCertificate. */
export class WardenCaRepo {
  constructor(private readonly db: Driver) {}

  async get(accountId: string): Promise<WardenCaRecord | undefined> {
    const row = await byAccount(this.db, accountId).first();
    return row && { accountId, keyPem: row.key_pem, certPem: row.cert_pem };
  }

  /** Stores the CA unless the account has one already (another request or node won); the caller reads it back. */
  async insertIfAbsent(ca: WardenCaRecord, now: Date): Promise<void> {
    const query = qb(this.db)
      .insertInto('warden_cas')
      .values({ account_id: ca.accountId, key_pem: ca.keyPem, cert_pem: ca.certPem, created_at: now.getTime() })
      .onConflict((oc) => oc.column('account_id').doNothing());
    await run(this.db, query);
  }
}
