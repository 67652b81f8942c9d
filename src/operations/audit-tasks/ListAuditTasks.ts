import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { AuditTaskStatus, AuditTaskType, ListAuditTasksRequest, ListAuditTasksResponse } from '../../generated/shapes.js';
import { FINDING_RETENTION_MS } from '../../store/retention.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';

/** Audit tasks that started within [startTime, endTime], newest first. */
export async function ListAuditTasks(input: ListAuditTasksRequest, ctx: Context): Promise<ListAuditTasksResponse> {
  const from = input.startTime;
  const to = input.endTime;
  // "Audit information is retained for a limited time (90 days)."
  if (from.getTime() < ctx.clock.now().getTime() - FINDING_RETENTION_MS) {
    throw new InvalidRequestException('startTime is more than 90 days ago; audit information is retained for 90 days.');
  }
  if (to.getTime() < from.getTime()) throw new InvalidRequestException('endTime must not be before startTime.');
  const limit = pageSizeOf('ListAuditTasks', input.maxResults);
  const after = decodeToken<{ s: number; id: string }>('audit-tasks', input.nextToken);
  const rows = await ctx.store.repos.auditTasks.list(ctx, { from, to, taskType: input.taskType, taskStatus: input.taskStatus, after, limit });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    tasks: page.map((t) => ({ taskId: t.taskId, taskStatus: t.taskStatus as AuditTaskStatus, taskType: t.taskType as AuditTaskType })),
    nextToken: rows.length > limit ? encodeToken('audit-tasks', { s: last.taskStartTime.getTime(), id: last.taskId }) : undefined,
  };
}
