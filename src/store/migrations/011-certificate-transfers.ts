import type { Migration } from './migration.js';

/**
 * Certificate transfers. While a certificate is PENDING_TRANSFER its row stays in the source
 * account (which owns it, audits it and can cancel); `transfer_target` names the account it is
 * offered to, which lists, describes, accepts or rejects it through the first index. The column
 * keeps the target of the latest transfer after it ends. An accepted certificate moves to the
 * target's account; the second index finds a certificate's rows in every account of a region (the
 * source asking about a certificate it gave away, a target about one offered to it).
 */
export const certificateTransfers: Migration = {
  version: 11,
  name: 'certificate transfers',
  async up(db) {
    await db.exec('ALTER TABLE certificates ADD COLUMN transfer_target TEXT NULL');
    await db.exec(
      'CREATE INDEX certificates_by_transfer_target ON certificates (region, transfer_target, created_at, certificate_id) WHERE transfer_target IS NOT NULL',
    );
    await db.exec('CREATE INDEX certificates_by_id ON certificates (region, certificate_id)');
  },
};
