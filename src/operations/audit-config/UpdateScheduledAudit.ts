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
    const audit = await tx.scheduledAudits.get(ctx, input.scheduledAuditName);
    if (!audit) throw new ResourceNotFoundException(`Scheduled audit ${input.scheduledAuditName} does not exist.`);
    const frequency = input.frequency ?? (audit.frequency as AuditFrequency);
    const weekly = frequency === 'WEEKLY' || frequency === 'BIWEEKLY';
    const schedule = {
      frequency,
      dayOfWeek: input.dayOfWeek ?? (weekly ? (audit.dayOfWeek as DayOfWeek | undefined) : undefined),
      dayOfMonth: input.dayOfMonth ?? (frequency === 'MONTHLY' ? audit.dayOfMonth : undefined),
    };
    checkSchedule(schedule);
    const checks = input.targetCheckNames ? checkTargets(input.targetCheckNames, enabledChecks(await tx.auditConfigurations.get(ctx))) : audit.checks;
    const changed = schedule.frequency !== audit.frequency || schedule.dayOfWeek !== audit.dayOfWeek || schedule.dayOfMonth !== audit.dayOfMonth;
    const next = changed ? firstRunAfter(scheduleOf({ ...audit, ...schedule }), now) : audit.nextRun;
    await tx.scheduledAudits.update(ctx, { ...audit, ...schedule, checks, nextRun: next, modifiedAt: now });
    return { scheduledAuditArn: audit.arn };
  });
}
