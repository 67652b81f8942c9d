import type { Scope } from '../base/scope.js';
import type { AuditFrequency, DayOfWeek } from '../generated/shapes.js';
import type { ScheduledAuditRecord } from '../store/scheduled-audits.js';
import type { Store } from '../store/store.js';
import { isCheckName } from './checks.js';
import { enabledChecks } from './configuration.js';
import { nextRunAfter, timeOfDay, type Schedule } from './schedule.js';
import { startAuditTask } from './start.js';

/** Due rows read per query; the loop reads again while a full batch came back. */
const BATCH = 100;

/** AWS: scheduled audits look "from 2 hours before the last run to 2 hours before this run". */
const SCHEDULED_WINDOW_LEAD_MS = 2 * 3600_000;

/** The schedule of a stored scheduled audit; it runs at the time of day it was created at. */
export function scheduleOf(audit: Pick<ScheduledAuditRecord, 'frequency' | 'dayOfWeek' | 'dayOfMonth' | 'createdAt'>): Schedule {
  return {
    frequency: audit.frequency as AuditFrequency,
    dayOfWeek: audit.dayOfWeek as DayOfWeek | undefined,
    dayOfMonth: audit.dayOfMonth,
    timeOfDay: timeOfDay(audit.createdAt),
  };
}

/**
 * Starts every scheduled audit (of any scope) whose next run is at or before `now`, one
 * transaction each: the run is claimed with an UPDATE that only succeeds while next_run still
 * holds the value this node read, so with several nodes each due run starts exactly once. The
 * next run moves to the first one after `now`, so after a long outage one catch-up audit runs,
 * not one per missed period. The audit runs the scheduled audit's checks that are still enabled
 * in the account audit configuration (none left: the run is skipped). Returns the new task ids.
 */
export async function startDueScheduledAudits(store: Store, now: Date): Promise<string[]> {
  const started: string[] = [];
  for (;;) {
    const due = await store.repos.scheduledAudits.due(now, BATCH);
    for (const audit of due) {
      const { scope } = audit;
      const taskId = await store.transaction(async (tx) => {
        const next = nextRunAfter(scheduleOf(audit), audit.nextRun, now);
        if (!(await tx.scheduledAudits.claimRun(scope, audit.name, audit.nextRun, next, now))) return undefined;
        // Read again under the claim: an UpdateScheduledAudit may have changed the checks since the query.
        const current = await tx.scheduledAudits.get(scope, audit.name);
        if (!current) return undefined;
        const enabled = enabledChecks(await tx.auditConfigurations.get(scope));
        const checks = current.checks.filter((c) => isCheckName(c) && enabled.has(c));
        if (checks.length === 0) return undefined;
        return startAuditTask(tx, scope, {
          checks,
          taskType: 'SCHEDULED_AUDIT_TASK',
          scheduledAuditName: audit.name,
          now,
          // The first run looks back as far as an on-demand audit (startAuditTask's default).
          windowStart: audit.lastRun === undefined ? undefined : audit.lastRun.getTime() - SCHEDULED_WINDOW_LEAD_MS,
        });
      });
      if (taskId) started.push(taskId);
    }
    if (due.length < BATCH) return started;
  }
}
