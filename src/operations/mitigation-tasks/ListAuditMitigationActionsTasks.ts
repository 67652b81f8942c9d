import type { Context } from '../../context/context.js';
import type { AuditMitigationActionsTaskStatus, ListAuditMitigationActionsTasksRequest, ListAuditMitigationActionsTasksResponse } from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';

/** Tasks that began within [startTime, endTime], oldest first, with the model's filters. */
export async function ListAuditMitigationActionsTasks(input: ListAuditMitigationActionsTasksRequest, ctx: Context): Promise<ListAuditMitigationActionsTasksResponse> {
  const limit = pageSizeOf('ListAuditMitigationActionsTasks', input.maxResults);
  const after = decodeToken<{ s: number; id: string }>('audit-mitigation-tasks', input.nextToken);
  const rows = await ctx.store.repos.mitigationTasks.list(ctx, 'audit', {
    status: input.taskStatus,
    auditTaskId: input.auditTaskId,
    findingId: input.findingId,
    from: input.startTime,
    to: input.endTime,
    afterStart: after?.s,
    afterId: after?.id,
    limit,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    tasks: page.map((t) => ({ taskId: t.taskId, startTime: t.startTime, taskStatus: t.status as AuditMitigationActionsTaskStatus })),
    nextToken: rows.length > limit ? encodeToken('audit-mitigation-tasks', { s: last.startTime.getTime(), id: last.taskId }) : undefined,
  };
}
