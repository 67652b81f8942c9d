import type { TaskKey, TaskKind } from '../store/mitigation-tasks.js';
import type { Store } from '../store/store.js';

/**
 * Task and target lifecycles as transition tables (SEMANTICS.md 3.1, 3.2, D16). The engine moves a
 * task or a target only through moveTask and moveTargets (a batch's targets through
 * MitigationTaskRepo.recordBatch, given movesInto's states), which turn the table into the statement's
 * guard (the row changes only from a state the table allows), so a move the table does not list
 * changes nothing, and two nodes racing for one move cannot both make it. A task leaves IN_PROGRESS
 * once and never changes again.
 */
export const TASK_TRANSITIONS: Record<TaskKind, Record<string, readonly string[]>> = {
  audit: { IN_PROGRESS: ['COMPLETED', 'FAILED', 'CANCELED'], COMPLETED: [], FAILED: [], CANCELED: [] },
  detect: { IN_PROGRESS: ['SUCCESSFUL', 'FAILED', 'CANCELED'], SUCCESSFUL: [], FAILED: [], CANCELED: [] },
};

/**
 * A target is PENDING until a batch runs it; it waits (AWAITING, AWAITING_FAILED once one of its
 * executions failed) while an SNS delivery is out, and ends DONE, or CANCELED with its task.
 */
export const TARGET_TRANSITIONS: Record<string, readonly string[]> = {
  PENDING: ['DONE', 'AWAITING', 'AWAITING_FAILED', 'CANCELED'],
  AWAITING: ['AWAITING_FAILED', 'DONE', 'CANCELED'],
  AWAITING_FAILED: ['AWAITING_FAILED', 'DONE', 'CANCELED'],
  DONE: [],
  CANCELED: [],
};

export function canMove(table: Record<string, readonly string[]>, from: string, to: string): boolean {
  return table[from]?.includes(to) ?? false;
}

/** The states a row may be in for a move to `to`: the guard of the statement that makes the move. */
export function movesInto(table: Record<string, readonly string[]>, to: string): string[] {
  const from = Object.keys(table).filter((f) => table[f].includes(to));
  if (from.length === 0) throw new Error(`no state moves into ${to}`);
  return from;
}

type TaskRepo = Pick<Store['repos']['mitigationTasks'], 'finish' | 'setTargetStates'>;

/** Ends a task; false when the table does not allow it from the task's current status (already ended). */
export function moveTask(repo: TaskRepo, k: TaskKey, to: string, at: Date): Promise<boolean> {
  return repo.finish(k, to, at, movesInto(TASK_TRANSITIONS[k.kind], to));
}

/** Moves targets of a task; a target whose state does not allow the move keeps its state. Answers how many moved. */
export function moveTargets(repo: TaskRepo, k: TaskKey, targetIds: readonly string[], to: string): Promise<number> {
  return repo.setTargetStates(k, targetIds, to, movesInto(TARGET_TRANSITIONS, to));
}

/** How a task ends when its last target is done. */
export function endStatus(kind: TaskKind, anyFailed: boolean): string {
  if (anyFailed) return 'FAILED';
  return kind === 'audit' ? 'COMPLETED' : 'SUCCESSFUL';
}

/** Execution statuses by kind: audit says COMPLETED/CANCELED/PENDING, detect says SUCCESSFUL and has neither of the others. */
export const EXECUTION_STATUS: Record<TaskKind, { succeeded: string; failed: string; skipped: string; running: string; notStarted: string; canceled: string }> = {
  audit: { succeeded: 'COMPLETED', failed: 'FAILED', skipped: 'SKIPPED', running: 'IN_PROGRESS', notStarted: 'PENDING', canceled: 'CANCELED' },
  detect: { succeeded: 'SUCCESSFUL', failed: 'FAILED', skipped: 'SKIPPED', running: 'IN_PROGRESS', notStarted: 'IN_PROGRESS', canceled: 'SKIPPED' },
};
