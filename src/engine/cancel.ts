import type { Context } from '../context/context.js';
import { InvalidRequestException, ResourceNotFoundException } from '../generated/errors.js';
import type { TaskKey } from '../store/mitigation-tasks.js';
import { actionsFor } from './execute.js';
import { canMove, moveTask, movesInto, TARGET_TRANSITIONS, TASK_TRANSITIONS } from './lifecycle.js';
import { unplannedCount } from './plan.js';

/**
 * Cancels a task in progress (SEMANTICS.md 3.1, D16): targets not yet run never run, what was
 * applied stays, the task ends CANCELED with an end time. Audit counts the canceled findings per
 * check; detect counts their executions as skipped.
 */
export async function cancelTask(ctx: Context, key: TaskKey): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const repo = tx.mitigationTasks;
    const task = await repo.get(key, true);
    if (!task) throw new ResourceNotFoundException(`No ${key.kind} mitigation actions task ${key.taskId} exists in this account and region.`);
    if (!canMove(TASK_TRANSITIONS[key.kind], task.status, 'CANCELED')) throw new InvalidRequestException(`The task ${key.taskId} is ${task.status}, not IN_PROGRESS; only a task in progress can be canceled.`);
    const unplanned = await unplannedCount(tx, { ...task, ...key });
    await repo.update(key, { planned: true });
    const canceled = await repo.cancelPending(key, movesInto(TARGET_TRANSITIONS, 'CANCELED'));
    if (key.kind === 'audit') {
      // Every finding not finished yet, planned or not, counts as canceled.
      for (const s of await repo.stats(key, key.taskId)) {
        const open = s.total - s.skipped - s.succeeded - s.failed - s.canceled;
        if (open > 0) await repo.bumpStats(key, key.taskId, s.checkName, { canceled: open });
      }
    } else {
      let skipped = 0;
      for (const counts of [canceled, unplanned]) for (const [check, n] of counts) skipped += n * actionsFor(task, check).length;
      await repo.bump(key, { skippedExecutions: skipped });
    }
    await moveTask(repo, key, 'CANCELED', ctx.clock.now());
  });
}
