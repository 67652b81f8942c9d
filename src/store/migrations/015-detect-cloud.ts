import { binary, type Migration } from './migration.js';

/**
 * Cloud-side activity that Detect has not evaluated yet.
 *
 * - detect_cloud_activity: what the broker (or POST /_warden/cloud-metrics) saw of one thing in
 *   one 5-minute period, one row per recording (a batch of messages, connections, authorization
 *   failures), as JSON owned by src/detect. Rows are only appended; the evaluation of a closed
 *   period claims a period's rows, evaluates them and deletes them in one transaction, so each
 *   recording is evaluated once. Claims read in (period, scope, thing, seq) order, the index's.
 */
export const detectCloud: Migration = {
  version: 15,
  name: 'detect cloud-side activity',
  async up(db) {
    const b = binary(db);
    const seq = db.dialect === 'postgres' ? 'seq BIGSERIAL PRIMARY KEY' : 'seq INTEGER PRIMARY KEY AUTOINCREMENT';
    await db.exec(`
      CREATE TABLE detect_cloud_activity (
        ${seq},
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        thing_name TEXT ${b} NOT NULL,
        period_start BIGINT NOT NULL,
        activity TEXT NOT NULL
      )`);
    await db.exec('CREATE INDEX detect_cloud_activity_by_period ON detect_cloud_activity (period_start, account_id, region, thing_name, seq)');
  },
};
