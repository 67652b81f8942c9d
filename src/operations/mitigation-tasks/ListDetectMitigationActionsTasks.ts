import type { Context } from '../../context/context.js';
import type { ListDetectMitigationActionsTasksRequest, ListDetectMitigationActionsTasksResponse } from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';
import { detectSummary } from './detect-summary.js';

/** Tasks that began within [startTime, endTime], oldest first, as full summaries. */
export async function ListDetectMitigationActionsTasks(input: ListDetectMitigationActionsTasksRequest, ctx: Context): Promise<ListDetectMitigationActionsTasksResponse> {
  const limit = pageSizeOf('ListDetectMitigationActionsTasks', input.maxResults);
  const after = decodeToken<{ s: number; id: string }>('detect-mitigation-tasks', input.nextToken);
  const rows = await ctx.store.repos.mitigationTasks.list(ctx, 'detect', { from: input.startTime, to: input.endTime, afterStart: after?.s, afterId: after?.id, limit });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    tasks: page.map(detectSummary),
    nextToken: rows.length > limit ? encodeToken('detect-mitigation-tasks', { s: last.startTime.getTime(), id: last.taskId }) : undefined,
  };
}
