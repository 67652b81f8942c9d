import type { Context } from '../../context/context.js';
import type { AuditFrequency, DayOfWeek, DescribeScheduledAuditRequest, DescribeScheduledAuditResponse } from '../../generated/shapes.js';
import { ResourceNotFoundException } from '../../generated/errors.js';

export async function DescribeScheduledAudit(input: DescribeScheduledAuditRequest, ctx: Context): Promise<DescribeScheduledAuditResponse> {
  const row = await ctx.store.repos.scheduledAudits.get(ctx, input.scheduledAuditName);
  if (!row) throw new ResourceNotFoundException(`Scheduled audit ${input.scheduledAuditName} does not exist.`);
  return {
    frequency: row.frequency as AuditFrequency,
    dayOfMonth: row.day_of_month ?? undefined,
    dayOfWeek: (row.day_of_week ?? undefined) as DayOfWeek | undefined,
    targetCheckNames: JSON.parse(row.checks) as string[],
    scheduledAuditName: row.name,
    scheduledAuditArn: row.arn,
  };
}
