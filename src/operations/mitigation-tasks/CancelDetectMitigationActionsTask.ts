import type { Context } from '../../context/context.js';
import { cancelTask } from '../../engine/cancel.js';
import type { CancelDetectMitigationActionsTaskRequest, CancelDetectMitigationActionsTaskResponse } from '../../generated/shapes.js';

export async function CancelDetectMitigationActionsTask(input: CancelDetectMitigationActionsTaskRequest, ctx: Context): Promise<CancelDetectMitigationActionsTaskResponse> {
  await cancelTask(ctx, { ...ctx, kind: 'detect', taskId: input.taskId });
  return {};
}
