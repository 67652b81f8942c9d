import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type {
  AuditMitigationActionsTaskStatus,
  DescribeAuditMitigationActionsTaskRequest,
  DescribeAuditMitigationActionsTaskResponse,
  TaskStatisticsForAuditCheck,
} from '../../generated/shapes.js';

export async function DescribeAuditMitigationActionsTask(
  input: DescribeAuditMitigationActionsTaskRequest,
  ctx: Context,
): Promise<DescribeAuditMitigationActionsTaskResponse> {
  const repo = ctx.store.repos.mitigationTasks;
  const task = await repo.get({ ...ctx, kind: 'audit', taskId: input.taskId });
  if (!task) throw new ResourceNotFoundException(`No audit mitigation actions task ${input.taskId} exists in this account and region.`);
  const taskStatistics: Record<string, TaskStatisticsForAuditCheck> = {};
  for (const s of await repo.stats(ctx, input.taskId)) {
    taskStatistics[s.checkName] = {
      totalFindingsCount: s.total,
      failedFindingsCount: s.failed,
      succeededFindingsCount: s.succeeded,
      skippedFindingsCount: s.skipped,
      canceledFindingsCount: s.canceled,
    };
  }
  return {
    taskStatus: task.status as AuditMitigationActionsTaskStatus,
    startTime: task.startTime,
    endTime: task.endTime,
    taskStatistics,
    target: task.target,
    auditCheckToActionsMapping: task.mapping as Record<string, string[]>,
    actionsDefinition: task.actionsDefinition,
  };
}
