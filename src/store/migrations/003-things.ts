import { binary, type Migration } from './migration.js';

/**
 * Things, thing types, thing groups (static and dynamic) and group membership. Columns named in
 * the table contract (things, thing_groups, thing_group_members) are read by the other families.
 * thing_attributes repeats things.attributes one row per key so ListThings can filter by attribute
 * through an index. thing_groups.path is `root/.../name/`, so a group's descendants are one range scan.
 */
export const things: Migration = {
  version: 3,
  name: 'things, thing types, thing groups and their members',
  async up(db) {
    const b = binary(db);
    /** SQLite: the primary key is the table (no separate key index), so a write touches fewer pages. */
    const clustered = db.dialect === 'sqlite' ? ' WITHOUT ROWID' : '';
    await db.exec(`
      CREATE TABLE things (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT ${b} NOT NULL,
        thing_id TEXT NOT NULL,
        arn TEXT NOT NULL,
        thing_type_name TEXT ${b} NULL,
        version INTEGER NOT NULL,
        attributes TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      )${clustered}`);
    await db.exec('CREATE INDEX things_by_type ON things (account_id, region, thing_type_name, name)');

    await db.exec(`
      CREATE TABLE thing_attributes (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        thing_name TEXT ${b} NOT NULL,
        attr_name TEXT ${b} NOT NULL,
        attr_value TEXT ${b} NOT NULL,
        PRIMARY KEY (account_id, region, thing_name, attr_name)
      )${clustered}`);
    await db.exec('CREATE INDEX thing_attributes_by_value ON thing_attributes (account_id, region, attr_name, attr_value, thing_name)');

    await db.exec(`
      CREATE TABLE thing_types (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT ${b} NOT NULL,
        thing_type_id TEXT NOT NULL,
        arn TEXT NOT NULL,
        properties TEXT NOT NULL,
        deprecated INTEGER NOT NULL,
        deprecated_at BIGINT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      )`);

    await db.exec(`
      CREATE TABLE thing_groups (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT ${b} NOT NULL,
        group_id TEXT NOT NULL,
        arn TEXT NOT NULL,
        parent_name TEXT ${b} NULL,
        root_name TEXT ${b} NOT NULL,
        path TEXT ${b} NOT NULL,
        depth INTEGER NOT NULL,
        is_dynamic INTEGER NOT NULL,
        description TEXT NULL,
        attributes TEXT NOT NULL,
        version INTEGER NOT NULL,
        query_string TEXT NULL,
        query_version TEXT NULL,
        index_name TEXT NULL,
        status TEXT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      )`);
    await db.exec('CREATE INDEX thing_groups_by_parent ON thing_groups (account_id, region, parent_name, name)');
    await db.exec('CREATE INDEX thing_groups_by_path ON thing_groups (account_id, region, path)');
    await db.exec('CREATE INDEX thing_groups_dynamic ON thing_groups (account_id, region, is_dynamic)');

    await db.exec(`
      CREATE TABLE thing_group_members (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        group_name TEXT ${b} NOT NULL,
        thing_name TEXT ${b} NOT NULL,
        is_dynamic INTEGER NOT NULL,
        added_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, group_name, thing_name)
      )${clustered}`);
    // Covering: a thing's groups are read from the index alone (the mitigation engine asks per thing).
    await db.exec('CREATE INDEX thing_group_members_by_thing ON thing_group_members (account_id, region, thing_name, group_name, is_dynamic, added_at)');
  },
};
