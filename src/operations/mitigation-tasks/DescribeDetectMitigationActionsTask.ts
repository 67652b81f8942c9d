import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { DescribeDetectMitigationActionsTaskRequest, DescribeDetectMitigationActionsTaskResponse } from '../../generated/shapes.js';
import { detectSummary } from './detect-summary.js';

export async function DescribeDetectMitigationActionsTask(
  input: DescribeDetectMitigationActionsTaskRequest,
  ctx: Context,
): Promise<DescribeDetectMitigationActionsTaskResponse> {
  const task = await ctx.store.repos.mitigationTasks.get({ ...ctx, kind: 'detect', taskId: input.taskId });
  if (!task) throw new ResourceNotFoundException(`No detect mitigation actions task ${input.taskId} exists in this account and region.`);
  return { taskSummary: detectSummary(task) };
}
