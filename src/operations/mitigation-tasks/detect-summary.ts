import type { DetectMitigationActionsTaskStatus, DetectMitigationActionsTaskSummary } from '../../generated/shapes.js';
import type { TaskRecord } from '../../store/mitigation-tasks.js';

/** A detect task as DescribeDetectMitigationActionsTask and ListDetectMitigationActionsTasks show it (statistics per D16). */
export function detectSummary(t: TaskRecord): DetectMitigationActionsTaskSummary {
  const o = t.options as { violationEventOccurrenceRange?: { startTime: number; endTime: number }; includeOnlyActiveViolations?: boolean; includeSuppressedAlerts?: boolean };
  const range = o.violationEventOccurrenceRange;
  return {
    taskId: t.taskId,
    taskStatus: t.status as DetectMitigationActionsTaskStatus,
    taskStartTime: t.startTime,
    taskEndTime: t.endTime,
    target: t.target,
    violationEventOccurrenceRange: range && { startTime: new Date(range.startTime), endTime: new Date(range.endTime) },
    onlyActiveViolationsIncluded: o.includeOnlyActiveViolations ?? false,
    suppressedAlertsIncluded: o.includeSuppressedAlerts ?? false,
    actionsDefinition: t.actionsDefinition,
    taskStatistics: { actionsExecuted: t.executed, actionsSkipped: t.skippedExecutions, actionsFailed: t.failedExecutions },
  };
}
