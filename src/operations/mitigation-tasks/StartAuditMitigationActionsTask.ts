import { moveTask } from '../../engine/lifecycle.js';
import type { Context } from '../../context/context.js';
import { CHECK_ACTIONS, isCheckName } from '../../audit/checks.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { StartAuditMitigationActionsTaskRequest, StartAuditMitigationActionsTaskResponse } from '../../generated/shapes.js';
import { checkLimit, insertTask, replayOrConflict, snapshotActions } from './start.js';

/** Validates everything synchronously (D1–D5, D18), stores the task and its totals, and leaves the work to the engine. */
export async function StartAuditMitigationActionsTask(input: StartAuditMitigationActionsTaskRequest, ctx: Context): Promise<StartAuditMitigationActionsTaskResponse> {
  const { target, auditCheckToActionsMapping: mapping, taskId } = input;
  if (!!target.findingIds === !!target.auditTaskId) throw new InvalidRequestException('target must name exactly one of findingIds or auditTaskId.');
  if (target.auditCheckToReasonCodeFilter && !target.auditTaskId) {
    throw new InvalidRequestException('target.auditCheckToReasonCodeFilter can only be used together with target.auditTaskId.');
  }
  for (const check of [...Object.keys(mapping), ...Object.keys(target.auditCheckToReasonCodeFilter ?? {})]) {
    if (!isCheckName(check)) throw new InvalidRequestException(`${check} is not an audit check name.`);
  }
  const result = await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'mitigation-tasks/audit');
    if (await replayOrConflict(tx, ctx, 'audit', taskId, input.clientRequestToken)) return { taskId };
    const actions = await snapshotActions(tx, ctx, Object.values(mapping).flat());
    for (const [check, names] of Object.entries(mapping)) {
      for (const name of names) {
        const type = actions.find((a) => a.name === name)!.type;
        if (!CHECK_ACTIONS[check].includes(type as never)) {
          throw new InvalidRequestException(`The mitigation action ${name} (${type}) cannot be applied to findings of ${check}; it supports ${CHECK_ACTIONS[check].join(', ')}.`);
        }
      }
    }
    if (target.findingIds) {
      const missing = await tx.mitigationPlan.missingTargets(ctx, 'audit', target.findingIds);
      if (missing.length) throw new InvalidRequestException(`No audit finding ${missing.join(', ')} exists in this account and region.`);
    } else {
      if (!(await tx.mitigationPlan.auditTaskExists(ctx, target.auditTaskId!))) throw new InvalidRequestException(`No audit task ${target.auditTaskId} exists in this account and region.`);
    }
    await checkLimit(tx, ctx, 'audit');
    const task = await insertTask(tx, ctx, {
      kind: 'audit',
      taskId,
      clientToken: input.clientRequestToken,
      target: target as Record<string, unknown>,
      auditTaskId: target.auditTaskId,
      mapping,
      actionsDefinition: actions,
      options: {},
    });
    const stats = await tx.mitigationPlan.auditTotals(ctx, task);
    await tx.mitigationTasks.insertStats(ctx, taskId, stats);
    if (stats.every((s) => s.total === s.skipped)) {
      // Nothing to act on: straight to COMPLETED (D8).
      const key = { ...ctx, kind: 'audit' as const, taskId };
      await tx.mitigationTasks.update(key, { planned: true });
      await moveTask(tx.mitigationTasks, key, 'COMPLETED', ctx.clock.now());
    }
    return { taskId };
  });
  ctx.wakeEngine();
  return result;
}
