import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Work to run once the current Store.transaction has committed (in-process change notices, such
 * as src/registry/policy-events.ts, whose listeners re-read what the transaction wrote). Outside
 * any transaction the work runs at once (the caller's write is already committed). A transaction
 * that rolls back drops its work. Nested Store.transaction calls share the outermost one's list.
 */
const pending = new AsyncLocalStorage<(() => void)[]>();

export function afterCommit(work: () => void): void {
  const list = pending.getStore();
  if (list) list.push(work);
  else run(work);
}

/** Runs `fn` (a transaction) and, once it has resolved, the work it queued. */
export async function withAfterCommit<T>(fn: () => Promise<T>): Promise<T> {
  if (pending.getStore()) return fn();
  const list: (() => void)[] = [];
  const result = await pending.run(list, fn);
  for (const work of list) run(work);
  return result;
}

function run(work: () => void): void {
  try {
    work();
  } catch {
    // a listener's failure is its own
  }
}
