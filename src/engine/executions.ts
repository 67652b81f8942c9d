import type { ExecutionRecord, MitigationTaskRepo, TaskKey } from '../store/mitigation-tasks.js';
import { actionsFor } from './execute.js';
import { EXECUTION_STATUS } from './lifecycle.js';

/**
 * The executions of one target as a client sees them: the recorded ones, and for actions that
 * have not run, PENDING (not reached yet) or CANCELED/SKIPPED (the task was canceled first).
 * Nothing for a target the task does not hold.
 */
export async function executionsOfTarget(repo: MitigationTaskRepo, key: TaskKey, targetId: string): Promise<(Omit<ExecutionRecord, 'startTime'> & { startTime?: Date })[]> {
  const task = await repo.get(key);
  if (!task) return [];
  const target = await repo.targetState(key, targetId);
  if (!target) return [];
  const recorded = await repo.executionsOfTarget(key, targetId);
  const names = EXECUTION_STATUS[key.kind];
  const status = target.state === 'CANCELED' ? names.canceled : names.notStarted;
  return actionsFor(task, target.checkName).map(
    (a, i) => recorded.find((e) => e.actionIndex === i) ?? { taskId: key.taskId, targetId, actionIndex: i, actionName: a.name, actionId: a.id, status },
  );
}
