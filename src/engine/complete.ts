import type { Clock } from '../base/clock.js';
import type { TaskKey } from '../store/mitigation-tasks.js';
import type { StoreTx } from '../store/store.js';
import { EXECUTION_STATUS, moveTargets } from './lifecycle.js';
import { finishIfDone } from './runner.js';

export interface ExecutionKey extends TaskKey {
  targetId: string;
  actionIndex: number;
}

/**
 * Finishes an execution that was handed to something outside the database (SNS delivery):
 * records its outcome, and when it was its target's last one, the target's result and the
 * task's statistics — in the caller's transaction. A second report for the same execution
 * changes nothing.
 */
export async function completeExecution(
  tx: StoreTx,
  key: ExecutionKey,
  outcome: { status: 'SUCCEEDED' } | { status: 'FAILED'; errorCode: string; message: string },
  clock: Clock,
): Promise<void> {
  const repo = tx.mitigationTasks;
  const names = EXECUTION_STATUS[key.kind];
  const failed = outcome.status === 'FAILED';
  const changed = await repo.updateExecution(key, key.targetId, key.actionIndex, {
    status: failed ? names.failed : names.succeeded,
    endTime: clock.now(),
    errorCode: failed ? outcome.errorCode : undefined,
    message: failed ? outcome.message : undefined,
  });
  if (changed === 0) return;
  await repo.bump(key, { awaiting: -1, executed: 1, failedExecutions: failed ? 1 : 0 });
  const target = await repo.targetState(key, key.targetId);
  if (target?.state === 'CANCELED') return; // the task was canceled meanwhile: its statistics are final
  const executions = await repo.executionsOfTarget(key, key.targetId);
  if (executions.some((e) => e.status === names.running)) {
    if (failed) await moveTargets(repo, key, [key.targetId], 'AWAITING_FAILED');
    return;
  }
  const targetFailed = executions.some((e) => e.status === names.failed);
  if ((await moveTargets(repo, key, [key.targetId], 'DONE')) === 0) return; // another delivery finished it
  await repo.bump(key, { done: 1, failedTargets: targetFailed ? 1 : 0 });
  if (key.kind === 'audit' && target?.checkName) {
    await repo.bumpStats(key, key.taskId, target.checkName, targetFailed ? { failed: 1 } : { succeeded: 1 });
  }
  await finishIfDone(repo, key, clock);
}

/** Finishes the execution a delivered (or refused) outbox message belongs to: the first one of that action still in progress. */
export async function completeDelivered(
  tx: StoreTx,
  key: TaskKey & { targetId: string; actionName: string },
  outcome: { status: 'SUCCEEDED' } | { status: 'FAILED'; errorCode: string; message: string },
  clock: Clock,
): Promise<void> {
  const executions = await tx.mitigationTasks.executionsOfTarget(key, key.targetId);
  const running = executions.find((e) => e.actionName === key.actionName && e.status === EXECUTION_STATUS[key.kind].running);
  if (running) await completeExecution(tx, { ...key, actionIndex: running.actionIndex }, outcome, clock);
}
