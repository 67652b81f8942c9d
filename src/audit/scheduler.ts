import type { Scope } from '../base/scope.js';
import type { AuditFrequency, DayOfWeek } from '../generated/shapes.js';
import type { ScheduledAuditRecord } from '../store/scheduled-audits.js';
import type { Store } from '../store/store.js';
import { isCheckName } from './checks.js';
import { enabledChecks } from './configuration.js';
import { nextRunAfter, timeOfDay, type Schedule } from './schedule.js';
import { startAuditTask } from './start.js';

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
 * transaction each: the transaction claims the oldest due row (the store's claim: with several
 * nodes each due run starts exactly once) and moves its next run to the first one after `now`, so
 * after a long outage one catch-up audit runs, not one per missed period. The audit runs the
 * scheduled audit's checks that are still enabled in the account audit configuration (none left:
 * the run is skipped). Returns the new task ids.
 */
export async function startDueScheduledAudits(store: Store, now: Date): Promise<string[]> {
  const started: string[] = [];
  for (;;) {
    const outcome = await store.transaction(async (tx) => {
      const audit = await tx.scheduledAudits.claimDue(now);
      if (!audit) return undefined;
      const { scope } = audit;
      await tx.scheduledAudits.moveRun(scope, audit.name, nextRunAfter(scheduleOf(audit), audit.nextRun, now), now);
      const enabled = enabledChecks(await tx.auditConfigurations.get(scope));
      const checks = audit.checks.filter((c) => isCheckName(c) && enabled.has(c));
      if (checks.length === 0) return { taskId: undefined };
      const taskId = await startAuditTask(tx, scope, {
        checks,
        taskType: 'SCHEDULED_AUDIT_TASK',
        scheduledAuditName: audit.name,
        now,
        // The first run looks back as far as an on-demand audit (startAuditTask's default).
        windowStart: audit.lastRun === undefined ? undefined : audit.lastRun.getTime() - SCHEDULED_WINDOW_LEAD_MS,
      });
      return { taskId };
    });
    if (!outcome) return started;
    if (outcome.taskId) started.push(outcome.taskId);
  }
}
