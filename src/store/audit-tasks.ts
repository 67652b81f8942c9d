import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { after } from './rows.js';

/** An audit task Warden runs (audit_tasks row with its checks), epoch-ms times. */
export interface AuditRunRow {
  account_id: string;
  region: string;
  task_id: string;
  task_type: string;
  task_status: string;
  task_start_time: number;
  scheduled_audit_name: string | null;
  end_time: number | null;
  checks: string | null;
  window_start: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  notified: number;
}

export interface AuditCheckRow {
  check_name: string;
  check_run_status: string;
  total_resources: number | null;
  non_compliant: number | null;
  suppressed: number | null;
  error_code: string | null;
  message: string | null;
}

const TASK_COLUMNS =
  'account_id, region, task_id, task_type, task_status, task_start_time, scheduled_audit_name, end_time, checks, window_start, lease_owner, lease_until, notified';

/** Audit tasks as the audit runner and the audit-task operations see them. */
export class AuditTaskRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, taskId: string): Promise<AuditRunRow | undefined> {
    return this.db.get<AuditRunRow>(`SELECT ${TASK_COLUMNS} FROM audit_tasks WHERE account_id = ? AND region = ? AND task_id = ?`, [
      scope.accountId,
      scope.region,
      taskId,
    ]);
  }

  /** Tasks IN_PROGRESS in this scope (the limit of 10 concurrent audits). */
  async countInProgress(scope: Scope): Promise<number> {
    const r = await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_tasks WHERE account_id = ? AND region = ? AND task_status = 'IN_PROGRESS'", [
      scope.accountId,
      scope.region,
    ]);
    return Number(r?.n ?? 0);
  }

  /** Runnable tasks: IN_PROGRESS, run by Warden (checks set), with no live lease; oldest first. */
  async runnable(now: number, limit: number): Promise<AuditRunRow[]> {
    return this.db.all<AuditRunRow>(
      `SELECT ${TASK_COLUMNS} FROM audit_tasks WHERE task_status = 'IN_PROGRESS' AND checks IS NOT NULL AND (lease_until IS NULL OR lease_until < ?)
       ORDER BY task_start_time LIMIT ?`,
      [now, limit],
    );
  }

  /** Takes (or renews) the lease when it is free, expired or already ours; true when we hold it. */
  async lease(t: Pick<AuditRunRow, 'account_id' | 'region' | 'task_id'>, owner: string, now: number, until: number): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE audit_tasks SET lease_owner = ?, lease_until = ? WHERE account_id = ? AND region = ? AND task_id = ? AND task_status = 'IN_PROGRESS'
       AND (lease_owner IS NULL OR lease_owner = ? OR lease_until IS NULL OR lease_until < ?)`,
      [owner, until, t.account_id, t.region, t.task_id, owner, now],
    );
    return n > 0;
  }

  /** Tasks that ended without the runner (canceled) and still owe their notification. */
  async endedUnnotified(limit: number): Promise<AuditRunRow[]> {
    return this.db.all<AuditRunRow>(
      `SELECT ${TASK_COLUMNS} FROM audit_tasks WHERE task_status IN ('CANCELED', 'FAILED') AND notified = 0 AND checks IS NOT NULL LIMIT ?`,
      [limit],
    );
  }

  async releaseLeases(owner: string): Promise<void> {
    await this.db.run('UPDATE audit_tasks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?', [owner]);
  }

  async checks(scope: Scope, taskId: string): Promise<AuditCheckRow[]> {
    return this.db.all<AuditCheckRow>(
      `SELECT check_name, check_run_status, total_resources, non_compliant, suppressed, error_code, message FROM audit_task_checks
       WHERE account_id = ? AND region = ? AND task_id = ? ORDER BY check_name`,
      [scope.accountId, scope.region, taskId],
    );
  }

  /** Records one check's result; 0 when the check is no longer IN_PROGRESS (canceled, or another node got there first). */
  async finishCheck(scope: Scope, taskId: string, c: AuditCheckRow): Promise<number> {
    return this.db.run(
      `UPDATE audit_task_checks SET check_run_status = ?, total_resources = ?, non_compliant = ?, suppressed = ?, error_code = ?, message = ?
       WHERE account_id = ? AND region = ? AND task_id = ? AND check_name = ? AND check_run_status = 'IN_PROGRESS'`,
      [c.check_run_status, c.total_resources, c.non_compliant, c.suppressed, c.error_code, c.message, scope.accountId, scope.region, taskId, c.check_name],
    );
  }

  /** Ends an IN_PROGRESS task; its unfinished checks become CANCELED when it is canceled. 0 when it had ended already. */
  async end(scope: Scope, taskId: string, status: 'COMPLETED' | 'FAILED' | 'CANCELED', at: number): Promise<number> {
    const n = await this.db.run(
      `UPDATE audit_tasks SET task_status = ?, end_time = ?, lease_owner = NULL, lease_until = NULL
       WHERE account_id = ? AND region = ? AND task_id = ? AND task_status = 'IN_PROGRESS'`,
      [status, at, scope.accountId, scope.region, taskId],
    );
    if (n > 0 && status !== 'COMPLETED') {
      await this.db.run(
        `UPDATE audit_task_checks SET check_run_status = ? WHERE account_id = ? AND region = ? AND task_id = ? AND check_run_status = 'IN_PROGRESS'`,
        [status, scope.accountId, scope.region, taskId],
      );
    }
    return n;
  }

  async markNotified(scope: Scope, taskId: string): Promise<void> {
    await this.db.run('UPDATE audit_tasks SET notified = 1 WHERE account_id = ? AND region = ? AND task_id = ?', [scope.accountId, scope.region, taskId]);
  }

  /** ListAuditTasks: tasks that started within [from, to], newest first, keyset after (start, id). */
  async list(
    scope: Scope,
    f: { from: number; to: number; taskType?: string; taskStatus?: string; after?: { s: number; id: string }; limit: number },
  ): Promise<AuditRunRow[]> {
    const where = ['account_id = ?', 'region = ?', 'task_start_time >= ?', 'task_start_time <= ?'];
    const params: unknown[] = [scope.accountId, scope.region, f.from, f.to];
    if (f.taskType) {
      where.push('task_type = ?');
      params.push(f.taskType);
    }
    if (f.taskStatus) {
      where.push('task_status = ?');
      params.push(f.taskStatus);
    }
    if (f.after) {
      const k = after(['task_start_time', 'task_id'], [f.after.s, f.after.id], true);
      where.push(k.sql);
      params.push(...k.params);
    }
    return this.db.all<AuditRunRow>(
      `SELECT ${TASK_COLUMNS} FROM audit_tasks WHERE ${where.join(' AND ')} ORDER BY task_start_time DESC, task_id DESC LIMIT ?`,
      [...params, f.limit + 1],
    );
  }
}
