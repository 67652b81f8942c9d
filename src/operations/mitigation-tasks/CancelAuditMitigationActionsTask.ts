import type { Context } from '../../context/context.js';
import { cancelTask } from '../../engine/cancel.js';
import type { CancelAuditMitigationActionsTaskRequest, CancelAuditMitigationActionsTaskResponse } from '../../generated/shapes.js';

export async function CancelAuditMitigationActionsTask(input: CancelAuditMitigationActionsTaskRequest, ctx: Context): Promise<CancelAuditMitigationActionsTaskResponse> {
  await cancelTask(ctx, { ...ctx, kind: 'audit', taskId: input.taskId });
  return {};
}
