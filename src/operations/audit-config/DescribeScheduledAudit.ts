import type { Context } from '../../context/context.js';
import type { AuditFrequency, DayOfWeek, DescribeScheduledAuditRequest, DescribeScheduledAuditResponse } from '../../generated/shapes.js';
import { ResourceNotFoundException } from '../../generated/errors.js';

export async function DescribeScheduledAudit(input: DescribeScheduledAuditRequest, ctx: Context): Promise<DescribeScheduledAuditResponse> {
  const audit = await ctx.store.repos.scheduledAudits.get(ctx, input.scheduledAuditName);
  if (!audit) throw new ResourceNotFoundException(`Scheduled audit ${input.scheduledAuditName} does not exist.`);
  return {
    frequency: audit.frequency as AuditFrequency,
    dayOfMonth: audit.dayOfMonth,
    dayOfWeek: audit.dayOfWeek as DayOfWeek | undefined,
    targetCheckNames: audit.checks,
    scheduledAuditName: audit.name,
    scheduledAuditArn: audit.arn,
  };
}
