import { purgeExpired } from '../store/retention.js';
import type { Store } from '../store/store.js';

const DAY = 24 * 60 * 60 * 1000;

/** SEMANTICS.md D19: mitigation tasks (with their executions) and published messages are kept 90 days. */
export const TASK_RETENTION_MS = 90 * DAY;

/** One retention pass over every account and region: tasks, findings, violations, connection events, delivered messages. */
export async function purgeOld(store: Store, now: Date): Promise<{ tasks: number; findings: number; violationRows: number; connectionEvents: number; messages: number }> {
  const cutoff = new Date(now.getTime() - TASK_RETENTION_MS);
  const tasks = await store.repos.mitigationTasks.purge(cutoff);
  const { findings, violationRows, connectionEvents } = await purgeExpired(store.repos, now);
  const messages = await store.repos.outbox.purgeBefore(cutoff);
  return { tasks, findings, violationRows, connectionEvents, messages };
}
