import type { Context } from '../../context/context.js';
import type { AuditFrequency, DayOfWeek, ListScheduledAuditsRequest, ListScheduledAuditsResponse } from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';


/** Scheduled audits in name order. */
export async function ListScheduledAudits(input: ListScheduledAuditsRequest, ctx: Context): Promise<ListScheduledAuditsResponse> {
  const limit = pageSizeOf('ListScheduledAudits', input.maxResults);
  const from = decodeToken<{ after: string }>('scheduled-audits', input.nextToken);
  const rows = await ctx.store.repos.scheduledAudits.page(ctx, from?.after, limit);
  const page = rows.slice(0, limit);
  return {
    scheduledAudits: page.map((r) => ({
      scheduledAuditName: r.name,
      scheduledAuditArn: r.arn,
      frequency: r.frequency as AuditFrequency,
      dayOfMonth: r.dayOfMonth,
      dayOfWeek: r.dayOfWeek as DayOfWeek | undefined,
    })),
    nextToken: rows.length > limit ? encodeToken('scheduled-audits', { after: page[page.length - 1].name }) : undefined,
  };
}
