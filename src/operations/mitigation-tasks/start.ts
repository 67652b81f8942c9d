import type { Scope } from '../../base/scope.js';
import type { Context } from '../../context/context.js';
import { InvalidRequestException, LimitExceededException, TaskAlreadyExistsException } from '../../generated/errors.js';
import type { TaskKind, TaskRecord } from '../../store/mitigation-tasks.js';
import type { StoreTx } from '../../store/store.js';

/** Tasks in progress at once per account and region (SEMANTICS.md D18). */
export const IN_PROGRESS_LIMIT: Record<TaskKind, number> = { audit: 10, detect: 5 };

/**
 * Idempotency (D2, D3): the same taskId and token replays; the same taskId with another token,
 * or the same token with another taskId, is TaskAlreadyExistsException.
 */
export async function replayOrConflict(tx: StoreTx, scope: Scope, kind: TaskKind, taskId: string, token: string): Promise<boolean> {
  const existing = await tx.mitigationTasks.get({ ...scope, kind, taskId });
  if (existing) {
    if (existing.clientToken === token) return true;
    throw new TaskAlreadyExistsException(`A ${kind} mitigation actions task with the id ${taskId} already exists with a different clientRequestToken.`);
  }
  const byToken = await tx.mitigationTasks.byToken(scope, kind, token);
  if (byToken) throw new TaskAlreadyExistsException(`The clientRequestToken ${token} already started the task ${byToken.taskId}.`);
  return false;
}

export async function checkLimit(tx: StoreTx, scope: Scope, kind: TaskKind): Promise<void> {
  const limit = IN_PROGRESS_LIMIT[kind];
  if ((await tx.mitigationTasks.countInProgress(scope, kind)) >= limit) {
    throw new LimitExceededException(`${limit} ${kind} mitigation actions tasks are already in progress in this account and region, the most AWS IoT allows.`);
  }
}

/** The actions a task names, as they are now (the task keeps this snapshot: D20). Unknown names: D1. */
export async function snapshotActions(tx: StoreTx, scope: Scope, names: string[]): Promise<(TaskRecord['actionsDefinition'][number] & { type: string })[]> {
  const out: (TaskRecord['actionsDefinition'][number] & { type: string })[] = [];
  for (const name of [...new Set(names)]) {
    const a = await tx.mitigationActions.get(scope, name);
    if (!a) throw new InvalidRequestException(`The mitigation action ${name} does not exist in this account and region.`);
    out.push({ name: a.name, id: a.actionId, roleArn: a.roleArn, actionParams: a.params, type: a.actionType });
  }
  return out;
}

/** Records a new task; returns it for the statistics that follow. */
export async function insertTask(tx: StoreTx, ctx: Context, t: Omit<TaskRecord, 'status' | 'startTime' | 'planned' | 'targetCount' | 'doneCount' | 'failedTargets' | 'awaiting' | 'executed' | 'failedExecutions' | 'skippedExecutions'>): Promise<TaskRecord> {
  const task: TaskRecord = {
    ...t,
    actionsDefinition: t.actionsDefinition.map(({ name, id, roleArn, actionParams }) => ({ name, id, roleArn, actionParams })),
    status: 'IN_PROGRESS',
    startTime: ctx.clock.now(),
    planned: false,
    targetCount: 0,
    doneCount: 0,
    failedTargets: 0,
    awaiting: 0,
    executed: 0,
    failedExecutions: 0,
    skippedExecutions: 0,
  };
  await tx.mitigationTasks.insert(ctx, task);
  return task;
}
