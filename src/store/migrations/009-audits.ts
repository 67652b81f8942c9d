import { binary, type Migration } from './migration.js';

/**
 * Real audits: the account audit configuration, per-check results of each audit task, scheduled
 * audits, suppressions, and the inputs some checks read besides the registry (certificate
 * revocation lists, IAM role documents, connection events). Certificates gain the facts the
 * checks need without parsing every PEM at audit time (serial number, issuer, key quality, CRL
 * distribution points); existing rows are filled in after the migration, by domain code.
 */
export const audits: Migration = {
  version: 9,
  name: 'audit configuration, audit runs, scheduled audits, suppressions, CRLs, IAM roles, connection events',
  async up(db) {
    const b = binary(db);
    await db.exec(`
      CREATE TABLE audit_configurations (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        role_arn TEXT NULL,
        notify TEXT NULL,
        checks TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region)
      )`);

    // Audit tasks that Warden runs: the checks asked for, a lease while a node evaluates them,
    // the end time, and whether the completion notification has been written to the outbox.
    for (const col of [
      'end_time BIGINT NULL',
      'checks TEXT NULL',
      'lease_owner TEXT NULL',
      'lease_until BIGINT NULL',
      'window_start BIGINT NULL',
      'notified INTEGER NOT NULL DEFAULT 0',
    ]) {
      await db.exec(`ALTER TABLE audit_tasks ADD COLUMN ${col}`);
    }
    await db.exec('CREATE INDEX audit_tasks_by_scope_start ON audit_tasks (account_id, region, task_start_time, task_id)');
    await db.exec('CREATE INDEX audit_tasks_by_status ON audit_tasks (task_status, task_start_time)');

    await db.exec(`
      CREATE TABLE audit_task_checks (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        task_id TEXT ${b} NOT NULL,
        check_name TEXT ${b} NOT NULL,
        check_run_status TEXT NOT NULL,
        total_resources BIGINT NULL,
        non_compliant BIGINT NULL,
        suppressed BIGINT NULL,
        error_code TEXT NULL,
        message TEXT NULL,
        PRIMARY KEY (account_id, region, task_id, check_name)
      )`);

    // Findings per (audit task, check, reason code, suppressed), kept with every insert, so a
    // mitigation task over a whole audit learns its per-check totals without counting the findings.
    await db.exec(`
      CREATE TABLE audit_finding_counts (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        task_id TEXT ${b} NOT NULL,
        check_name TEXT ${b} NOT NULL,
        reason_code TEXT ${b} NOT NULL,
        is_suppressed INTEGER NOT NULL,
        n BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, task_id, check_name, reason_code, is_suppressed)
      )`);
    await db.exec(`
      INSERT INTO audit_finding_counts (account_id, region, task_id, check_name, reason_code, is_suppressed, n)
      SELECT account_id, region, task_id, check_name, COALESCE(reason_code, ''), is_suppressed, COUNT(*) FROM audit_findings
      GROUP BY account_id, region, task_id, check_name, COALESCE(reason_code, ''), is_suppressed`);

    await db.exec(`
      CREATE TABLE scheduled_audits (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT ${b} NOT NULL,
        arn TEXT NOT NULL,
        frequency TEXT NOT NULL,
        day_of_month TEXT NULL,
        day_of_week TEXT NULL,
        checks TEXT NOT NULL,
        next_run BIGINT NOT NULL,
        last_run BIGINT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      )`);
    await db.exec('CREATE INDEX scheduled_audits_due ON scheduled_audits (next_run)');

    await db.exec(`
      CREATE TABLE audit_suppressions (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        check_name TEXT ${b} NOT NULL,
        resource_identifier TEXT ${b} NOT NULL,
        resource_type TEXT NOT NULL,
        expiration_date BIGINT NULL,
        suppress_indefinitely INTEGER NOT NULL DEFAULT 0,
        description TEXT NULL,
        created_at BIGINT NOT NULL,
        client_request_token TEXT NULL,
        PRIMARY KEY (account_id, region, check_name, resource_identifier)
      )`);
    await db.exec('CREATE INDEX audit_suppressions_by_resource ON audit_suppressions (account_id, region, resource_identifier, check_name)');

    await db.exec(`
      CREATE TABLE crls (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        crl_id TEXT NOT NULL,
        issuer TEXT ${b} NOT NULL,
        der TEXT NOT NULL,
        this_update BIGINT NOT NULL,
        next_update BIGINT NULL,
        source TEXT NOT NULL,
        stored_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, crl_id)
      )`);
    await db.exec('CREATE INDEX crls_by_issuer ON crls (account_id, region, issuer, this_update)');

    await db.exec(`
      CREATE TABLE iam_roles (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        role_arn TEXT ${b} NOT NULL,
        documents TEXT NOT NULL,
        services_used TEXT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, role_arn)
      )`);

    await db.exec(`
      CREATE TABLE connection_events (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        event_id TEXT NOT NULL,
        client_id TEXT ${b} NOT NULL,
        certificate_id TEXT ${b} NULL,
        principal TEXT NULL,
        source_ip TEXT NULL,
        connected_at BIGINT NOT NULL,
        disconnected_at BIGINT NULL,
        disconnect_reason TEXT NULL,
        PRIMARY KEY (account_id, region, event_id)
      )`);
    await db.exec('CREATE INDEX connection_events_by_certificate ON connection_events (account_id, region, certificate_id, connected_at)');
    await db.exec('CREATE INDEX connection_events_by_client ON connection_events (account_id, region, client_id, connected_at)');
    await db.exec('CREATE INDEX connection_events_by_time ON connection_events (connected_at)');

    for (const table of ['certificates', 'ca_certificates']) {
      for (const col of ['serial_number TEXT NULL', 'issuer TEXT NULL', 'key_quality TEXT NULL', 'crl_urls TEXT NULL']) {
        await db.exec(`ALTER TABLE ${table} ADD COLUMN ${col}`);
      }
    }
    // Rows stored before this version keep NULL facts here: a migration runs no domain code (parsing
    // X.509 could change with Warden, a released migration must not). Warden fills them in when the
    // store opens (registry/cert-facts.ts, backfillCertificateFacts).
    await db.exec('CREATE INDEX certificates_by_key_quality ON certificates (account_id, region, key_quality)');
    // The revocation checks count audited certificates with and without CRL distribution points from the index alone.
    await db.exec('CREATE INDEX certificates_by_status_crl_urls ON certificates (account_id, region, status, crl_urls)');
    await db.exec('CREATE INDEX certificates_by_issuer_serial ON certificates (account_id, region, issuer, serial_number)');
  },
};
