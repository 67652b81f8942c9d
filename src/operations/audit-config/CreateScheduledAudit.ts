import type { Context } from '../../context/context.js';
import { checkTargets, enabledChecks } from '../../audit/configuration.js';
import { firstRunAfter, timeOfDay } from '../../audit/schedule.js';
import { LimitExceededException, ResourceAlreadyExistsException } from '../../generated/errors.js';
import type { CreateScheduledAuditRequest, CreateScheduledAuditResponse } from '../../generated/shapes.js';
import { checkNewTags } from '../../registry/resources.js';
import { AUDIT_CONFIGURATION_LOCK, checkSchedule, MAX_SCHEDULED_AUDITS, scheduledAuditArn } from './scheduled-audit-rules.js';

/** A new scheduled audit; its first run is the first scheduled time after now (src/audit/schedule.ts). */
export async function CreateScheduledAudit(input: CreateScheduledAuditRequest, ctx: Context): Promise<CreateScheduledAuditResponse> {
  checkSchedule(input);
  checkNewTags(input.tags);
  const arn = scheduledAuditArn(ctx, input.scheduledAuditName);
  const now = ctx.clock.now();
  await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, AUDIT_CONFIGURATION_LOCK);
    if (await tx.scheduledAudits.get(ctx, input.scheduledAuditName)) {
      throw new ResourceAlreadyExistsException(`A scheduled audit named ${input.scheduledAuditName} already exists.`, { resourceArn: arn });
    }
    const checks = checkTargets(input.targetCheckNames, enabledChecks(await tx.auditConfigurations.get(ctx)));
    if ((await tx.scheduledAudits.count(ctx)) >= MAX_SCHEDULED_AUDITS) {
      throw new LimitExceededException(`This account already has ${MAX_SCHEDULED_AUDITS} scheduled audits in ${ctx.region}, the most AWS IoT allows.`);
    }
    const next = firstRunAfter({ frequency: input.frequency, dayOfWeek: input.dayOfWeek, dayOfMonth: input.dayOfMonth, timeOfDay: timeOfDay(now) }, now);
    await tx.scheduledAudits.insert(ctx, {
      name: input.scheduledAuditName,
      arn,
      frequency: input.frequency,
      dayOfMonth: input.dayOfMonth,
      dayOfWeek: input.dayOfWeek,
      checks,
      nextRun: next,
      createdAt: now,
      modifiedAt: now,
    });
    if (input.tags?.length) await tx.tags.put(ctx, arn, input.tags);
  });
  return { scheduledAuditArn: arn };
}
