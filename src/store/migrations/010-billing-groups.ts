import { binary, type Migration } from './migration.js';

/**
 * Billing groups and their members. A thing is in at most one billing group, so the members table
 * is keyed by the thing; a group's things are read through the second index in name order. Things
 * themselves are untouched (no column added), so nothing stored before this version changes.
 */
export const billingGroups: Migration = {
  version: 10,
  name: 'billing groups and their things',
  async up(db) {
    const b = binary(db);
    const clustered = db.dialect === 'sqlite' ? ' WITHOUT ROWID' : '';
    await db.exec(`
      CREATE TABLE billing_groups (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT ${b} NOT NULL,
        group_id TEXT NOT NULL,
        arn TEXT NOT NULL,
        description TEXT NULL,
        version INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      )`);

    await db.exec(`
      CREATE TABLE billing_group_members (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        thing_name TEXT ${b} NOT NULL,
        group_name TEXT ${b} NOT NULL,
        added_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, thing_name)
      )${clustered}`);
    await db.exec('CREATE INDEX billing_group_members_by_group ON billing_group_members (account_id, region, group_name, thing_name)');
  },
};
