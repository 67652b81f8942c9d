import type { Scope } from '../base/scope.js';
import { insertRows } from '../store/rows.js';
import type { StoreTx } from '../store/store.js';
import { DAY_MS } from './check.js';
import { newAuditTaskId } from './findings.js';

export type AuditTaskType = 'ON_DEMAND_AUDIT_TASK' | 'SCHEDULED_AUDIT_TASK';

/** How far back event-based checks look in an on-demand audit (AWS: "the 31 days before the audit"). */
export const ON_DEMAND_WINDOW_MS = 31 * DAY_MS;

/**
 * Records a new IN_PROGRESS audit task of `checks` in the caller's transaction; the audit runner
 * picks it up (wake it after the commit). Each check starts IN_PROGRESS in audit_task_checks.
 */
export async function startAuditTask(
  tx: StoreTx,
  scope: Scope,
  o: { checks: readonly string[]; taskType: AuditTaskType; scheduledAuditName?: string; now: Date; windowStart?: number },
): Promise<string> {
  const taskId = newAuditTaskId();
  const start = o.now.getTime();
  await tx.db.run(
    `INSERT INTO audit_tasks (account_id, region, task_id, task_type, task_status, task_start_time, scheduled_audit_name, checks, window_start)
     VALUES (?, ?, ?, ?, 'IN_PROGRESS', ?, ?, ?, ?)`,
    [scope.accountId, scope.region, taskId, o.taskType, start, o.scheduledAuditName ?? null, JSON.stringify(o.checks), o.windowStart ?? start - ON_DEMAND_WINDOW_MS],
  );
  await insertRows(
    tx.db,
    'audit_task_checks',
    ['account_id', 'region', 'task_id', 'check_name', 'check_run_status'],
    o.checks.map((check) => [scope.accountId, scope.region, taskId, check, 'IN_PROGRESS']),
  );
  return taskId;
}
