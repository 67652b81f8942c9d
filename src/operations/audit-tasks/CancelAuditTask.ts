import type { Context } from '../../context/context.js';
import { InvalidRequestException, ResourceNotFoundException } from '../../generated/errors.js';
import type { CancelAuditTaskRequest, CancelAuditTaskResponse } from '../../generated/shapes.js';

/**
 * Cancels an audit in progress: checks not yet evaluated become CANCELED, the findings of the
 * checks already evaluated stay. AWS: "If the audit isn't in progress, an InvalidRequestException occurs."
 */
export async function CancelAuditTask(input: CancelAuditTaskRequest, ctx: Context): Promise<CancelAuditTaskResponse> {
  await ctx.store.transaction(async (tx) => {
    const task = await tx.auditTasks.get(ctx, input.taskId);
    if (!task) throw new ResourceNotFoundException(`Audit task ${input.taskId} does not exist.`);
    if (task.taskStatus !== 'IN_PROGRESS' || (await tx.auditTasks.end(ctx, input.taskId, 'CANCELED', ctx.clock.now())) === 0) {
      throw new InvalidRequestException(`Audit task ${input.taskId} is ${task.taskStatus}, not IN_PROGRESS; only an audit in progress can be canceled.`);
    }
  });
  ctx.wakeEngine(); // the audit runner writes the CANCELED notification
  return {};
}
