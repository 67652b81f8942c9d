import type { Driver } from '../driver.js';
import { things } from './003-things.js';
import { certificates } from './004-certificates.js';
import { policies } from './005-policies.js';
import { findings } from './006-findings.js';
import { mitigationTasks } from './007-mitigation-tasks.js';
import { outbox } from './008-outbox.js';
import { audits } from './009-audits.js';
import { billingGroups } from './010-billing-groups.js';
import { certificateTransfers } from './011-certificate-transfers.js';
import { detectProfiles } from './012-detect-profiles.js';
import { detectState } from './013-detect-state.js';
import { detectMl } from './014-detect-ml.js';
import { detectCloud } from './015-detect-cloud.js';
import { detectRetained } from './016-detect-retained.js';
import { certificatesById } from './017-certificates-by-id.js';
import { binary, type Migration } from './migration.js';

// Still exported here for a migration file written against this module; new ones import ./migration.js.
export { binary, type Migration } from './migration.js';

/**
 * Versioned schema changes, applied in order at start-up, each in its own transaction,
 * recorded in warden_migrations. Never edit a released migration: add the next one.
 */
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'mitigation actions',
    async up(db) {
      await db.exec(`
        CREATE TABLE mitigation_actions (
          account_id TEXT NOT NULL,
          region TEXT NOT NULL,
          name TEXT ${binary(db)} NOT NULL,
          action_id TEXT NOT NULL,
          arn TEXT NOT NULL,
          role_arn TEXT NOT NULL,
          action_type TEXT NOT NULL,
          params TEXT NOT NULL,
          tags TEXT NOT NULL DEFAULT '[]',
          created_at BIGINT NOT NULL,
          modified_at BIGINT NOT NULL,
          PRIMARY KEY (account_id, region, name)
        )`);
    },
  },
  {
    version: 2,
    name: 'tags move to one table for every taggable resource',
    async up(db) {
      await db.exec(`
        CREATE TABLE resource_tags (
          account_id TEXT NOT NULL,
          region TEXT NOT NULL,
          resource_arn TEXT NOT NULL,
          tag_key TEXT NOT NULL,
          tag_value TEXT NOT NULL,
          PRIMARY KEY (account_id, region, resource_arn, tag_key)
        )`);
      const rows = await db.all<{ account_id: string; region: string; arn: string; tags: string }>(
        'SELECT account_id, region, arn, tags FROM mitigation_actions',
      );
      for (const row of rows) {
        for (const tag of JSON.parse(row.tags) as { Key: string; Value?: string }[]) {
          await db.run('INSERT INTO resource_tags (account_id, region, resource_arn, tag_key, tag_value) VALUES (?, ?, ?, ?, ?)', [
            row.account_id,
            row.region,
            row.arn,
            tag.Key,
            tag.Value ?? '',
          ]);
        }
      }
      await db.exec('ALTER TABLE mitigation_actions DROP COLUMN tags');
      await db.exec('CREATE INDEX mitigation_actions_by_type ON mitigation_actions (account_id, region, action_type, name)');
    },
  },
  things,
  certificates,
  policies,
  findings,
  mitigationTasks,
  outbox,
  audits,
  billingGroups,
  certificateTransfers,
  detectProfiles,
  detectState,
  detectMl,
  detectCloud,
  detectRetained,
  certificatesById,
];

export const LATEST_VERSION = migrations[migrations.length - 1].version;

/** Brings the schema up to `target` (default: the latest). Safe when several nodes start at once. */
export async function migrate(db: Driver, target = LATEST_VERSION): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS warden_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version > target) break;
    await db.transaction(async (tx) => {
      await tx.lock('warden-migrations');
      const done = await tx.get('SELECT version FROM warden_migrations WHERE version = ?', [m.version]);
      if (done) return;
      await m.up(tx);
      await tx.run('INSERT INTO warden_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
      applied.push(m.version);
    });
  }
  return applied;
}

export async function schemaVersion(db: Driver): Promise<number> {
  const row = await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM warden_migrations');
  return row?.v ?? 0;
}
