import type { Scope } from '../base/scope.js';
import type { AuditFrequency, DayOfWeek } from '../generated/shapes.js';
import type { ScheduledAuditRow } from '../store/scheduled-audits.js';
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
export function scheduleOf(row: Pick<ScheduledAuditRow, 'frequency' | 'day_of_week' | 'day_of_month' | 'created_at'>): Schedule {
  return {
    frequency: row.frequency as AuditFrequency,
    dayOfWeek: (row.day_of_week ?? undefined) as DayOfWeek | undefined,
    dayOfMonth: row.day_of_month ?? undefined,
    timeOfDay: timeOfDay(row.created_at),
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
    const due = await store.repos.scheduledAudits.due(now.getTime(), BATCH);
    for (const row of due) {
      const scope: Scope = { accountId: row.account_id, region: row.region };
      const taskId = await store.transaction(async (tx) => {
        const next = nextRunAfter(scheduleOf(row), new Date(row.next_run), now);
        if (!(await tx.scheduledAudits.claimRun(scope, row.name, row.next_run, next.getTime(), now.getTime()))) return undefined;
        // Read again under the claim: an UpdateScheduledAudit may have changed the checks since the query.
        const current = await tx.scheduledAudits.get(scope, row.name);
        if (!current) return undefined;
        const enabled = enabledChecks(await tx.auditConfigurations.get(scope));
        const checks = (JSON.parse(current.checks) as string[]).filter((c) => isCheckName(c) && enabled.has(c));
        if (checks.length === 0) return undefined;
        return startAuditTask(tx, scope, {
          checks,
          taskType: 'SCHEDULED_AUDIT_TASK',
          scheduledAuditName: row.name,
          now,
          // The first run looks back as far as an on-demand audit (startAuditTask's default).
          windowStart: row.last_run === null ? undefined : row.last_run - SCHEDULED_WINDOW_LEAD_MS,
        });
      });
      if (taskId) started.push(taskId);
    }
    if (due.length < BATCH) return started;
  }
}
