import type { Scope } from '../base/scope.js';
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
  await tx.auditTasks.insert(scope, {
    taskId,
    taskType: o.taskType,
    taskStatus: 'IN_PROGRESS',
    taskStartTime: o.now,
    scheduledAuditName: o.scheduledAuditName,
    checks: [...o.checks],
    windowStart: new Date(o.windowStart ?? o.now.getTime() - ON_DEMAND_WINDOW_MS),
  });
  return taskId;
}
