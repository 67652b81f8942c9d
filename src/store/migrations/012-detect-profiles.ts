import { binary, type Migration } from './migration.js';

/**
 * Device Defender Detect definitions: security profiles, what they are attached to, the dimensions
 * and custom metrics their behaviors name. JSON columns hold the API's own shapes (behaviors, alert
 * targets, metrics to retain, the export configuration) as CreateSecurityProfile received them.
 *
 * security_profile_uses lists, per profile, every metric and dimension its behaviors and retained
 * metrics name (kind 'metric' or 'dimension'), rewritten with the profile: ListSecurityProfiles
 * filters by dimensionName and metricName through its index, and DeleteDimension and
 * DeleteCustomMetric find whether a profile still uses what they delete.
 *
 * security_profile_targets is keyed by the profile; the second index serves the other direction
 * (the profiles of a target: the five-per-target quota, ListSecurityProfilesForTarget, and the
 * profiles that apply to a thing). Dimensions and custom metrics keep the clientRequestToken they
 * were created with (the idempotency of their Create).
 */
export const detectProfiles: Migration = {
  version: 12,
  name: 'detect security profiles, targets, dimensions and custom metrics',
  async up(db) {
    const b = binary(db);
    const clustered = db.dialect === 'sqlite' ? ' WITHOUT ROWID' : '';
    await db.exec(`
      CREATE TABLE security_profiles (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT ${b} NOT NULL,
        arn TEXT NOT NULL,
        description TEXT NULL,
        behaviors TEXT NOT NULL,
        alert_targets TEXT NULL,
        additional_metrics TEXT NULL,
        metrics_export_config TEXT NULL,
        version INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      )`);

    await db.exec(`
      CREATE TABLE security_profile_uses (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        profile_name TEXT ${b} NOT NULL,
        kind TEXT NOT NULL,
        used_name TEXT ${b} NOT NULL,
        PRIMARY KEY (account_id, region, profile_name, kind, used_name)
      )${clustered}`);
    await db.exec('CREATE INDEX security_profile_uses_by_name ON security_profile_uses (account_id, region, kind, used_name, profile_name)');

    await db.exec(`
      CREATE TABLE security_profile_targets (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        profile_name TEXT ${b} NOT NULL,
        target_arn TEXT ${b} NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, profile_name, target_arn)
      )${clustered}`);
    await db.exec('CREATE INDEX security_profile_targets_by_target ON security_profile_targets (account_id, region, target_arn, profile_name)');

    await db.exec(`
      CREATE TABLE dimensions (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT ${b} NOT NULL,
        arn TEXT NOT NULL,
        type TEXT NOT NULL,
        string_values TEXT NOT NULL,
        client_request_token TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      )`);
    await db.exec('CREATE INDEX dimensions_by_token ON dimensions (account_id, region, client_request_token)');

    await db.exec(`
      CREATE TABLE custom_metrics (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT ${b} NOT NULL,
        arn TEXT NOT NULL,
        metric_type TEXT NOT NULL,
        display_name TEXT NULL,
        client_request_token TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      )`);
    await db.exec('CREATE INDEX custom_metrics_by_token ON custom_metrics (account_id, region, client_request_token)');
  },
};
