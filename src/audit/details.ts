import type { AuditCheckDetails, AuditCheckRunStatus, AuditDetails, TaskStatistics } from '../generated/shapes.js';
import type { AuditCheckRow } from '../store/audit-tasks.js';

const num = (v: number | null): number | undefined => (v === null ? undefined : Number(v));

/** auditDetails as DescribeAuditTask answers it, from the task's check rows. */
export function auditDetailsOf(rows: readonly AuditCheckRow[]): AuditDetails {
  const out: AuditDetails = {};
  for (const r of rows) {
    const status = r.check_run_status as AuditCheckRunStatus;
    const done = status === 'COMPLETED_COMPLIANT' || status === 'COMPLETED_NON_COMPLIANT';
    const d: AuditCheckDetails = {
      checkRunStatus: status,
      checkCompliant: done ? status === 'COMPLETED_COMPLIANT' : undefined,
      totalResourcesCount: num(r.total_resources),
      nonCompliantResourcesCount: num(r.non_compliant),
      suppressedNonCompliantResourcesCount: num(r.suppressed),
      errorCode: r.error_code ?? undefined,
      message: r.message ?? undefined,
    };
    out[r.check_name] = d;
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
