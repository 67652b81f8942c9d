import type { Driver } from './driver.js';

export interface WardenCaRecord {
  accountId: string;
  keyPem: string;
  certPem: string;
}

/** Warden's own CA per account (all regions): it signs the certificates of CreateKeysAndCertificate. */
export class WardenCaRepo {
  constructor(private readonly db: Driver) {}

  async get(accountId: string): Promise<WardenCaRecord | undefined> {
    const row = await this.db.get<{ key_pem: string; cert_pem: string }>('SELECT key_pem, cert_pem FROM warden_cas WHERE account_id = ?', [accountId]);
    return row && { accountId, keyPem: row.key_pem, certPem: row.cert_pem };
  }

  /** Stores the CA unless the account has one already (another request or node won); the caller reads it back. */
  async insertIfAbsent(ca: WardenCaRecord, now: Date): Promise<void> {
    await this.db.run('INSERT INTO warden_cas (account_id, key_pem, cert_pem, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO NOTHING', [
      ca.accountId,
      ca.keyPem,
      ca.certPem,
      now.getTime(),
    ]);
  }
}
