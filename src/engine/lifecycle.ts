import type { TaskKind } from '../store/mitigation-tasks.js';

/**
 * Task and execution statuses as transition tables (SEMANTICS.md 3.1, 3.2, D16). A task leaves
 * IN_PROGRESS once and never changes again.
 */
export const TASK_TRANSITIONS: Record<TaskKind, Record<string, readonly string[]>> = {
  audit: { IN_PROGRESS: ['COMPLETED', 'FAILED', 'CANCELED'], COMPLETED: [], FAILED: [], CANCELED: [] },
  detect: { IN_PROGRESS: ['SUCCESSFUL', 'FAILED', 'CANCELED'], SUCCESSFUL: [], FAILED: [], CANCELED: [] },
};

export function canMove(kind: TaskKind, from: string, to: string): boolean {
  return TASK_TRANSITIONS[kind][from]?.includes(to) ?? false;
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
