import { binary, type Migration } from './migration.js';

/**
 * Policies and their versions, policy attachments (targets), v1 and v2 logging options and role
 * aliases. Columns named in the table contract (policies, policy_targets) are read by the other
 * registry families.
 */
export const policies: Migration = {
  version: 5,
  name: 'policies, versions, targets, logging options and role aliases',
  async up(db) {
    // default_version_id is the AWS version id string ('1', '2', ...); last_version_id the highest id
    // ever given, so a deleted version's id is never reused.
    await db.exec(`
      CREATE TABLE policies (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT ${binary(db)} NOT NULL,
        arn TEXT NOT NULL,
        default_version_id TEXT NOT NULL,
        last_version_id INTEGER NOT NULL,
        generation_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      )`);

    await db.exec(`
      CREATE TABLE policy_versions (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        policy_name TEXT ${binary(db)} NOT NULL,
        version_id INTEGER NOT NULL,
        document TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, policy_name, version_id)
      )`);

    await db.exec(`
      CREATE TABLE policy_targets (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        policy_name TEXT ${binary(db)} NOT NULL,
        target TEXT ${binary(db)} NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, policy_name, target)
      )`);
    await db.exec('CREATE INDEX policy_targets_by_target ON policy_targets (account_id, region, target, policy_name)');

    // v1 (SetLoggingOptions) and v2 (SetV2LoggingOptions) are separate settings; a row exists once set.
    await db.exec(`
      CREATE TABLE logging_options (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        role_arn TEXT NOT NULL,
        log_level TEXT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region)
      )`);
    await db.exec(`
      CREATE TABLE v2_logging_options (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        role_arn TEXT NULL,
        default_log_level TEXT NULL,
        disable_all_logs INTEGER NOT NULL,
        event_configurations TEXT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region)
      )`);

    await db.exec(`
      CREATE TABLE role_aliases (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        alias TEXT ${binary(db)} NOT NULL,
        arn TEXT NOT NULL,
        role_arn TEXT NOT NULL,
        credential_duration_seconds INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, alias)
      )`);
  },
};
