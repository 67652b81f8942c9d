import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Work to run once the current Store.transaction has committed (in-process change notices, such
 * as src/registry/policy-events.ts, whose listeners re-read what the transaction wrote). Outside
 * any transaction the work runs at once (the caller's write is already committed). A transaction
 * that rolls back drops its work. A Store.transaction begun inside another's callback shares the
 * outer one's list.
 * Work queued from a task the transaction started but did not await, after it ended, runs at once.
 */
interface Pending {
  readonly work: (() => void)[];
  ended: boolean;
}
const pending = new AsyncLocalStorage<Pending>();

export function afterCommit(work: () => void): void {
  const p = pending.getStore();
  if (p && !p.ended) p.work.push(work);
  else run(work);
}

/** Runs `fn` (a transaction) and, once it has resolved, the work it queued. */
export async function withAfterCommit<T>(fn: () => Promise<T>): Promise<T> {
  const outer = pending.getStore();
  if (outer && !outer.ended) return fn();
  const p: Pending = { work: [], ended: false };
  try {
    const result = await pending.run(p, fn);
    p.ended = true;
    for (const work of p.work) run(work);
    return result;
  } finally {
    p.ended = true;
  }
}

function run(work: () => void): void {
  try {
    work();
  } catch {
    // a listener's failure is its own
  }
}
