import type { Migration } from './migration.js';
import { binary } from './migration.js';

/**
 * Audit and detect mitigation tasks share one set of tables, told apart by `kind`:
 * - mitigation_tasks: one row per task, with the definitions captured at start;
 * - mitigation_task_stats: per audit check, totals fixed at start and counters that only grow;
 * - mitigation_targets: one row per finding or violation to act on (planned in batches),
 *   claimed by workers; PENDING until a batch has run all its actions;
 * - mitigation_executions: one row per (target, action) that has run, with its outcome.
 */
export const mitigationTasks: Migration = {
  version: 7,
  name: 'mitigation tasks, targets, executions and statistics',
  async up(db) {
    await db.exec(`
      CREATE TABLE mitigation_tasks (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        kind TEXT NOT NULL,
        task_id TEXT ${binary(db)} NOT NULL,
        client_token TEXT NOT NULL,
        status TEXT NOT NULL,
        start_time BIGINT NOT NULL,
        end_time BIGINT,
        target TEXT NOT NULL,
        audit_task_id TEXT,
        mapping TEXT NOT NULL,
        actions_definition TEXT NOT NULL,
        options TEXT NOT NULL,
        plan_cursor TEXT,
        planned INTEGER NOT NULL DEFAULT 0,
        target_count BIGINT NOT NULL DEFAULT 0,
        done_count BIGINT NOT NULL DEFAULT 0,
        failed_targets BIGINT NOT NULL DEFAULT 0,
        awaiting BIGINT NOT NULL DEFAULT 0,
        executed BIGINT NOT NULL DEFAULT 0,
        failed_executions BIGINT NOT NULL DEFAULT 0,
        skipped_executions BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, region, kind, task_id)
      )`);
    await db.exec('CREATE UNIQUE INDEX mitigation_tasks_by_token ON mitigation_tasks (account_id, region, kind, client_token)');
    await db.exec('CREATE INDEX mitigation_tasks_by_status ON mitigation_tasks (status, start_time)');
    await db.exec('CREATE INDEX mitigation_tasks_by_start ON mitigation_tasks (account_id, region, kind, start_time)');
    await db.exec(`
      CREATE TABLE mitigation_task_stats (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        task_id TEXT NOT NULL,
        check_name TEXT NOT NULL,
        total BIGINT NOT NULL,
        succeeded BIGINT NOT NULL DEFAULT 0,
        failed BIGINT NOT NULL DEFAULT 0,
        skipped BIGINT NOT NULL DEFAULT 0,
        canceled BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, region, task_id, check_name)
      )`);
    await db.exec(`
      CREATE TABLE mitigation_targets (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        kind TEXT NOT NULL,
        task_id TEXT NOT NULL,
        target_id TEXT ${binary(db)} NOT NULL,
        check_name TEXT,
        state TEXT NOT NULL,
        PRIMARY KEY (account_id, region, kind, task_id, target_id)
      )`);
    // Only pending targets: claims read it in order, it shrinks as work is done, and an update by
    // primary key can never be planned through it.
    await db.exec("CREATE INDEX mitigation_targets_pending ON mitigation_targets (account_id, region, kind, task_id, target_id) WHERE state = 'PENDING'");
    await db.exec(`
      CREATE TABLE mitigation_executions (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        kind TEXT NOT NULL,
        task_id TEXT NOT NULL,
        target_id TEXT ${binary(db)} NOT NULL,
        action_index INTEGER NOT NULL,
        action_name TEXT NOT NULL,
        action_id TEXT NOT NULL,
        thing_name TEXT,
        status TEXT NOT NULL,
        start_time BIGINT NOT NULL,
        end_time BIGINT,
        error_code TEXT,
        message TEXT,
        PRIMARY KEY (account_id, region, kind, task_id, target_id, action_index)
      )`);
    await db.exec('CREATE INDEX mitigation_executions_by_time ON mitigation_executions (account_id, region, kind, start_time)');
    // Start counts a task's findings per check (suppressed and reason codes apart) from this index alone.
    await db.exec(
      'CREATE INDEX audit_findings_for_mitigation ON audit_findings (account_id, region, task_id, check_name, is_suppressed, reason_code, finding_id)',
    );

  },
};
