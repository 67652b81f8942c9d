import type { Migration } from './migration.js';

/**
 * sns_outbox: one row per PUBLISH_FINDING_TO_SNS execution, written in the execution's
 * transaction. `state` is STORED (no SNS endpoint configured: kept for GET /_warden/sns/messages
 * only), PENDING (waiting for the delivery worker), DELIVERED or FAILED. The execution key
 * (task kind, task id, target id, action name) lets delivery finish the execution. `seq` orders
 * rows; `lease_until`/`lease_owner` mark rows a worker is publishing right now.
 */
export const outbox: Migration = {
  version: 8,
  name: 'outbox of messages to publish',
  async up(db) {
    const seq = db.dialect === 'postgres' ? 'seq BIGSERIAL PRIMARY KEY' : 'seq INTEGER PRIMARY KEY AUTOINCREMENT';
    await db.exec(`
      CREATE TABLE sns_outbox (
        ${seq},
        message_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        topic_arn TEXT NOT NULL,
        message TEXT NOT NULL,
        task_kind TEXT NOT NULL,
        task_id TEXT NOT NULL,
        target_id TEXT NOT NULL,
        action_name TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        lease_until BIGINT,
        lease_owner TEXT,
        delivered_at BIGINT,
        sns_message_id TEXT,
        error_code TEXT,
        last_error TEXT
      )`);
    await db.exec('CREATE UNIQUE INDEX sns_outbox_by_message_id ON sns_outbox (message_id)');
    // The delivery worker's claim: PENDING rows that are due, oldest first.
    await db.exec('CREATE INDEX sns_outbox_due ON sns_outbox (state, next_attempt_at, seq)');
    // GET /_warden/sns/messages?topicArn=...
    await db.exec('CREATE INDEX sns_outbox_by_topic ON sns_outbox (topic_arn, seq)');
    // Retention.
    await db.exec('CREATE INDEX sns_outbox_by_created ON sns_outbox (created_at)');
  },
};
