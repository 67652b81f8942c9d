import type { Context } from '../../context/context.js';
import { checkTargets, enabledChecks } from '../../audit/configuration.js';
import { startAuditTask } from '../../audit/start.js';
import { LimitExceededException } from '../../generated/errors.js';
import type { StartOnDemandAuditTaskRequest, StartOnDemandAuditTaskResponse } from '../../generated/shapes.js';

/** AWS: "You can have up to 10 on-demand audits in progress." Scheduled ones share the count here. */
export const MAX_AUDITS_IN_PROGRESS = 10;

/**
 * Starts an audit of the named checks, each of which must be enabled in the account audit
 * configuration. The audit runs in the background; the task is IN_PROGRESS from the answer on.
 */
export async function StartOnDemandAuditTask(input: StartOnDemandAuditTaskRequest, ctx: Context): Promise<StartOnDemandAuditTaskResponse> {
  const taskId = await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'audit-tasks');
    const names = checkTargets(input.targetCheckNames, enabledChecks(await tx.auditConfigurations.get(ctx)));
    if ((await tx.auditTasks.countInProgress(ctx)) >= MAX_AUDITS_IN_PROGRESS) {
      throw new LimitExceededException(`You can have up to ${MAX_AUDITS_IN_PROGRESS} audits in progress; wait for one to finish or cancel one (CancelAuditTask).`);
    }
    return startAuditTask(tx, ctx, { checks: names, taskType: 'ON_DEMAND_AUDIT_TASK', now: ctx.clock.now() });
  });
  ctx.wakeEngine();
  return { taskId };
}
