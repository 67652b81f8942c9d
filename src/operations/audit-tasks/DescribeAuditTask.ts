import type { Context } from '../../context/context.js';
import { auditDetailsOf, taskStatisticsOf } from '../../audit/details.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { AuditDetails, AuditTaskStatus, AuditTaskType, DescribeAuditTaskRequest, DescribeAuditTaskResponse } from '../../generated/shapes.js';

/**
 * An audit task with per-check auditDetails and taskStatistics. A task whose findings came through
 * POST /_warden/audit-findings (no checks recorded) shows each check it holds findings of as
 * COMPLETED_NON_COMPLIANT with those counts.
 */
export async function DescribeAuditTask(input: DescribeAuditTaskRequest, ctx: Context): Promise<DescribeAuditTaskResponse> {
  const repo = ctx.store.repos.auditTasks;
  const task = await repo.get(ctx, input.taskId);
  if (!task) throw new ResourceNotFoundException(`Audit task ${input.taskId} does not exist.`);
  let auditDetails: AuditDetails;
  if (task.checks !== null) {
    auditDetails = auditDetailsOf(await repo.checks(ctx, input.taskId));
  } else {
    auditDetails = {};
    const perCheck = new Map<string, { n: number; suppressed: number }>();
    for (const c of await ctx.store.repos.findings.counts(ctx, input.taskId)) {
      const t = perCheck.get(c.check_name) ?? { n: 0, suppressed: 0 };
      t.n += Number(c.n);
      if (Number(c.is_suppressed)) t.suppressed += Number(c.n);
      perCheck.set(c.check_name, t);
    }
    for (const [checkName, { n, suppressed }] of [...perCheck].sort(([a], [b]) => (a < b ? -1 : 1))) {
      auditDetails[checkName] = {
        checkRunStatus: n > suppressed ? 'COMPLETED_NON_COMPLIANT' : 'COMPLETED_COMPLIANT',
        checkCompliant: n <= suppressed,
        totalResourcesCount: n,
        nonCompliantResourcesCount: n,
        suppressedNonCompliantResourcesCount: suppressed,
      };
    }
  }
  return {
    taskStatus: task.task_status as AuditTaskStatus,
    taskType: task.task_type as AuditTaskType,
    taskStartTime: new Date(Number(task.task_start_time)),
    taskStatistics: taskStatisticsOf(auditDetails),
    scheduledAuditName: task.scheduled_audit_name ?? undefined,
    auditDetails,
  };
}
