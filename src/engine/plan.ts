import type { TaskKey, TaskRecord } from '../store/mitigation-tasks.js';
import type { StoreTx } from '../store/store.js';

/**
 * Plans the next chunk of targets after the task's cursor. Returns true when planning is done
 * (and sets target_count), 'busy' when another node is planning the task right now (nothing
 * done: the caller can work on the targets planned so far). Holds a lock so two nodes never plan
 * the same task at once.
 */
export async function planChunk(tx: StoreTx, task: TaskRecord & TaskKey, chunk: number): Promise<boolean | 'busy'> {
  if (!(await tx.tryLock(task, `plan/${task.kind}/${task.taskId}`))) return 'busy';
  const fresh = await tx.mitigationTasks.get(task);
  if (!fresh || fresh.planned || fresh.status !== 'IN_PROGRESS') return true;
  const { planned: added, last } = await tx.mitigationPlan.planTargets(fresh, fresh.planCursor, chunk);
  const done = added < chunk;
  const planned = fresh.targetCount + added;
  await tx.mitigationTasks.update(task, { planCursor: last ?? fresh.planCursor ?? null, planned: done, targetCount: planned });
  // Fresh statistics once a large task is planned, so PostgreSQL picks the primary key for the engine's lookups.
  if (done && planned > chunk) await tx.mitigationPlan.refreshStatistics(task.kind);
  return done;
}

/** How many targets the selection still holds beyond the plan cursor (for cancel before planning ends). */
export async function unplannedCount(tx: StoreTx, task: TaskRecord & TaskKey): Promise<Map<string | null, number>> {
  if (task.planned) return new Map();
  return tx.mitigationPlan.unplanned(task, task.planCursor);
}
