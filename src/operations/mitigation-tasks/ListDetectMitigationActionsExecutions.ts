import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type {
  DetectMitigationActionExecutionStatus,
  ListDetectMitigationActionsExecutionsRequest,
  ListDetectMitigationActionsExecutionsResponse,
} from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';

/** Either one task's executions or those that started in a time window (not both), filtered by violation or thing. */
export async function ListDetectMitigationActionsExecutions(
  input: ListDetectMitigationActionsExecutionsRequest,
  ctx: Context,
): Promise<ListDetectMitigationActionsExecutionsResponse> {
  const window = input.startTime !== undefined || input.endTime !== undefined;
  if (input.taskId && window) throw new InvalidRequestException('Specify either taskId or startTime and endTime, not both.');
  if (!input.taskId && !(input.startTime && input.endTime)) throw new InvalidRequestException('Specify either taskId, or both startTime and endTime.');
  const limit = pageSizeOf('ListDetectMitigationActionsExecutions', input.maxResults);
  const after = decodeToken<{ a: [string, string, number] }>('detect-mitigation-executions', input.nextToken);
  const rows = await ctx.store.repos.mitigationTasks.listExecutions(ctx, 'detect', {
    taskId: input.taskId,
    from: input.startTime,
    to: input.endTime,
    targetId: input.violationId,
    thingName: input.thingName,
    after: after?.a,
    limit,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    actionsExecutions: page.map((e) => ({
      taskId: e.taskId,
      violationId: e.targetId,
      actionName: e.actionName,
      thingName: e.thingName,
      executionStartDate: e.startTime,
      executionEndDate: e.endTime,
      status: e.status as DetectMitigationActionExecutionStatus,
      errorCode: e.errorCode,
      message: e.message,
    })),
    nextToken: rows.length > limit ? encodeToken('detect-mitigation-executions', { a: [last.taskId, last.targetId, last.actionIndex] }) : undefined,
  };
}
