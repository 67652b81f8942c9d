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
  if (task.checks !== undefined) {
    auditDetails = auditDetailsOf(await repo.checks(ctx, input.taskId));
  } else {
    auditDetails = {};
    const perCheck = new Map<string, { n: number; suppressed: number }>();
    for (const c of await ctx.store.repos.findings.taskCounts(ctx, input.taskId)) {
      const t = perCheck.get(c.checkName) ?? { n: 0, suppressed: 0 };
      t.n += c.n;
      if (c.isSuppressed) t.suppressed += c.n;
      perCheck.set(c.checkName, t);
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
    taskStatus: task.taskStatus as AuditTaskStatus,
    taskType: task.taskType as AuditTaskType,
    taskStartTime: task.taskStartTime,
    taskStatistics: taskStatisticsOf(auditDetails),
    scheduledAuditName: task.scheduledAuditName,
    auditDetails,
  };
}
