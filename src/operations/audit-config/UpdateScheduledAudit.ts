import type { Context } from '../../context/context.js';
import { checkTargets, enabledChecks } from '../../audit/configuration.js';
import { firstRunAfter } from '../../audit/schedule.js';
import { scheduleOf } from '../../audit/scheduler.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { AuditFrequency, DayOfWeek, UpdateScheduledAuditRequest, UpdateScheduledAuditResponse } from '../../generated/shapes.js';
import { AUDIT_CONFIGURATION_LOCK, checkSchedule } from './scheduled-audit-rules.js';

/**
 * Changes what is given. A day the new frequency does not use is dropped (WEEKLY → DAILY forgets
 * the weekday); the result must satisfy the same rules as CreateScheduledAudit. A changed
 * schedule moves the next run to its first time after now; the time of day stays the creation's.
 */
export async function UpdateScheduledAudit(input: UpdateScheduledAuditRequest, ctx: Context): Promise<UpdateScheduledAuditResponse> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, AUDIT_CONFIGURATION_LOCK);
    const row = await tx.scheduledAudits.get(ctx, input.scheduledAuditName);
    if (!row) throw new ResourceNotFoundException(`Scheduled audit ${input.scheduledAuditName} does not exist.`);
    const frequency = input.frequency ?? (row.frequency as AuditFrequency);
    const weekly = frequency === 'WEEKLY' || frequency === 'BIWEEKLY';
    const schedule = {
      frequency,
      dayOfWeek: input.dayOfWeek ?? (weekly ? ((row.day_of_week ?? undefined) as DayOfWeek | undefined) : undefined),
      dayOfMonth: input.dayOfMonth ?? (frequency === 'MONTHLY' ? (row.day_of_month ?? undefined) : undefined),
    };
    checkSchedule(schedule);
    const checks = input.targetCheckNames ? checkTargets(input.targetCheckNames, enabledChecks(await tx.auditConfigurations.get(ctx))) : (JSON.parse(row.checks) as string[]);
    const changed = schedule.frequency !== row.frequency || (schedule.dayOfWeek ?? null) !== row.day_of_week || (schedule.dayOfMonth ?? null) !== row.day_of_month;
    const next = changed ? firstRunAfter(scheduleOf({ ...row, frequency, day_of_week: schedule.dayOfWeek ?? null, day_of_month: schedule.dayOfMonth ?? null }), now).getTime() : row.next_run;
    await tx.scheduledAudits.update(ctx, {
      ...row,
      frequency,
      day_of_week: schedule.dayOfWeek ?? null,
      day_of_month: schedule.dayOfMonth ?? null,
      checks: JSON.stringify(checks),
      next_run: next,
      modified_at: now.getTime(),
    });
    return { scheduledAuditArn: row.arn };
  });
}
