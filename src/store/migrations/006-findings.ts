import { binary, type Migration } from './migration.js';

/**
 * Audit tasks and their findings, detect violations and their events: the records mitigation
 * tasks act on. The columns named in the table contract are read directly by the engine.
 * Timestamps are epoch milliseconds, JSON is TEXT, booleans INTEGER 0/1.
 *
 * - audit_findings.resource_identifier is canonical JSON (keys sorted), so a ListAuditFindings
 *   resourceIdentifier filter is one indexed equality.
 * - criteria_type (STATIC | STATISTICAL | MACHINE_LEARNING) and behavior_name are derived from
 *   the behavior at insert, so the list filters are plain column comparisons.
 * - The indexes without the (account_id, region) prefix serve the retention purge, which runs
 *   over every scope at once.
 */
export const findings: Migration = {
  version: 6,
  name: 'audit tasks, audit findings, violations and violation events',
  async up(db) {
    const b = binary(db);
    await db.exec(`
      CREATE TABLE audit_tasks (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        task_id TEXT ${b} NOT NULL,
        task_type TEXT NOT NULL,
        task_status TEXT NOT NULL,
        task_start_time BIGINT NOT NULL,
        scheduled_audit_name TEXT NULL,
        PRIMARY KEY (account_id, region, task_id)
      )`);
    await db.exec('CREATE INDEX audit_tasks_by_start ON audit_tasks (task_start_time)');

    await db.exec(`
      CREATE TABLE audit_findings (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        finding_id TEXT ${b} NOT NULL,
        task_id TEXT ${b} NOT NULL,
        check_name TEXT ${b} NOT NULL,
        severity TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        resource_identifier TEXT ${b} NOT NULL,
        additional_info TEXT NULL,
        related_resources TEXT NOT NULL DEFAULT '[]',
        reason TEXT NULL,
        reason_code TEXT NULL,
        is_suppressed INTEGER NOT NULL DEFAULT 0,
        finding_time BIGINT NOT NULL,
        task_start_time BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, finding_id)
      )`);
    // The engine plans by (task, check) in finding_id order; ListAuditFindings with taskId lists in this order too.
    await db.exec('CREATE INDEX audit_findings_by_task ON audit_findings (account_id, region, task_id, check_name, finding_id)');
    // ListAuditFindings with a time window: newest first.
    await db.exec('CREATE INDEX audit_findings_by_time ON audit_findings (account_id, region, finding_time, finding_id)');
    // ListAuditFindings with a resourceIdentifier.
    await db.exec('CREATE INDEX audit_findings_by_resource ON audit_findings (account_id, region, resource_identifier, finding_time, finding_id)');

    await db.exec(`
      CREATE TABLE violations (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        violation_id TEXT ${b} NOT NULL,
        thing_name TEXT ${b} NOT NULL,
        security_profile_name TEXT ${b} NOT NULL,
        behavior_name TEXT ${b} NOT NULL,
        behavior TEXT NOT NULL,
        criteria_type TEXT NOT NULL,
        last_violation_value TEXT NULL,
        last_violation_time BIGINT NULL,
        violation_start_time BIGINT NOT NULL,
        violation_end_time BIGINT NULL,
        verification_state TEXT NULL,
        verification_state_description TEXT NULL,
        suppressed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, region, violation_id)
      )`);
    await db.exec('CREATE INDEX violations_by_behavior ON violations (account_id, region, security_profile_name, behavior_name, violation_id)');
    // ListActiveViolations (active: violation_end_time IS NULL), newest first, unfiltered or by thing or by profile.
    await db.exec('CREATE INDEX violations_active ON violations (account_id, region, violation_end_time, violation_start_time, violation_id)');
    await db.exec('CREATE INDEX violations_by_thing ON violations (account_id, region, thing_name, violation_start_time, violation_id)');
    await db.exec('CREATE INDEX violations_by_profile ON violations (account_id, region, security_profile_name, violation_start_time, violation_id)');
    await db.exec('CREATE INDEX violations_by_end ON violations (violation_end_time)');

    await db.exec(`
      CREATE TABLE violation_events (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        violation_id TEXT ${b} NOT NULL,
        event_type TEXT ${b} NOT NULL,
        event_time BIGINT NOT NULL,
        thing_name TEXT ${b} NOT NULL,
        security_profile_name TEXT ${b} NOT NULL,
        behavior_name TEXT ${b} NOT NULL,
        behavior TEXT NOT NULL,
        criteria_type TEXT NOT NULL,
        metric_value TEXT NULL,
        verification_state TEXT NULL,
        verification_state_description TEXT NULL,
        suppressed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, region, violation_id, event_time, event_type)
      )`);
    // ListViolationEvents: a time window, newest first; the primary key serves lookups by violation.
    await db.exec('CREATE INDEX violation_events_by_time ON violation_events (account_id, region, event_time, violation_id, event_type)');
    await db.exec('CREATE INDEX violation_events_by_age ON violation_events (event_time)');
  },
};
