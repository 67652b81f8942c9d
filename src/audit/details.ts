import type { AuditCheckDetails, AuditCheckRunStatus, AuditDetails, TaskStatistics } from '../generated/shapes.js';
import type { AuditCheckRecord } from '../store/audit-tasks.js';

/** auditDetails as DescribeAuditTask answers it, from the task's checks. */
export function auditDetailsOf(checks: readonly AuditCheckRecord[]): AuditDetails {
  const out: AuditDetails = {};
  for (const c of checks) {
    const status = c.checkRunStatus as AuditCheckRunStatus;
    const done = status === 'COMPLETED_COMPLIANT' || status === 'COMPLETED_NON_COMPLIANT';
    const d: AuditCheckDetails = {
      checkRunStatus: status,
      checkCompliant: done ? status === 'COMPLETED_COMPLIANT' : undefined,
      totalResourcesCount: c.totalResources,
      nonCompliantResourcesCount: c.nonCompliant,
      suppressedNonCompliantResourcesCount: c.suppressed,
      errorCode: c.errorCode,
      message: c.message,
    };
    out[c.checkName] = d;
  }
  return out;
}

/** taskStatistics: how many checks are in each state. */
export function taskStatisticsOf(details: AuditDetails): TaskStatistics {
  const all = Object.values(details);
  const n = (s: AuditCheckRunStatus) => all.filter((d) => d.checkRunStatus === s).length;
  return {
    totalChecks: all.length,
    inProgressChecks: n('IN_PROGRESS'),
    waitingForDataCollectionChecks: n('WAITING_FOR_DATA_COLLECTION'),
    compliantChecks: n('COMPLETED_COMPLIANT'),
    nonCompliantChecks: n('COMPLETED_NON_COMPLIANT'),
    failedChecks: n('FAILED'),
    canceledChecks: n('CANCELED'),
  };
}
