import type { Context } from '../../context/context.js';
import { executionsOfTarget } from '../../engine/executions.js';
import type {
  AuditMitigationActionsExecutionStatus,
  ListAuditMitigationActionsExecutionsRequest,
  ListAuditMitigationActionsExecutionsResponse,
} from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';

/** The executions of one finding in one task, in action order; those not run yet show PENDING (or CANCELED). */
export async function ListAuditMitigationActionsExecutions(
  input: ListAuditMitigationActionsExecutionsRequest,
  ctx: Context,
): Promise<ListAuditMitigationActionsExecutionsResponse> {
  const limit = pageSizeOf('ListAuditMitigationActionsExecutions', input.maxResults);
  const after = decodeToken<{ i: number }>('audit-mitigation-executions', input.nextToken);
  const all = (await executionsOfTarget(ctx.store.repos.mitigationTasks, { ...ctx, kind: 'audit', taskId: input.taskId }, input.findingId)).filter(
    (e) => (!input.actionStatus || e.status === input.actionStatus) && (after === undefined || e.actionIndex > after.i),
  );
  const page = all.slice(0, limit);
  return {
    actionsExecutions: page.map((e) => ({
      taskId: input.taskId,
      findingId: input.findingId,
      actionName: e.actionName,
      actionId: e.actionId,
      status: e.status as AuditMitigationActionsExecutionStatus,
      startTime: e.startTime,
      endTime: e.endTime,
      errorCode: e.errorCode,
      message: e.message,
    })),
    nextToken: all.length > limit ? encodeToken('audit-mitigation-executions', { i: page[page.length - 1].actionIndex }) : undefined,
  };
}
