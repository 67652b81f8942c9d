import { AsyncLocalStorage } from 'node:async_hooks';
import type { Driver } from './driver.js';

/**
 * Work to run once the current Store.transaction has committed (in-process change notices, such
 * as src/registry/policy-events.ts, whose listeners re-read what the transaction wrote). Outside
 * any transaction the work runs at once (the caller's write is already committed). A transaction
 * that rolls back drops its work. A Store.transaction begun inside another's callback shares the
 * outer one's list.
 * Work queued from a task the transaction started but did not await, after it ended, runs at once.
 * beforeCommit is the other half: statements for the transaction's own connection, run after its
 * callback and just before COMMIT, so they commit or roll back with it (the notices to other nodes,
 * src/store/pg-notices.ts).
 */
interface Pending {
  readonly work: (() => void)[];
  readonly beforeCommit: ((db: Driver) => Promise<void>)[];
  /** beforeCommitEach's items not sent yet, by the function that sends them. */
  readonly gathered: Map<unknown, unknown[]>;
  ended: boolean;
}
const pending = new AsyncLocalStorage<Pending>();

export function afterCommit(work: () => void): void {
  const p = pending.getStore();
  if (p && !p.ended) p.work.push(work);
  else run(work);
}

/**
 * Queues `work` for the current transaction's connection, to run just before it commits; false
 * outside a transaction (the caller's write is already committed: nothing to join).
 */
export function beforeCommit(work: (db: Driver) => Promise<void>): boolean {
  const p = pending.getStore();
  if (!p || p.ended) return false;
  p.beforeCommit.push(work);
  return true;
}

/**
 * beforeCommit for work done on many items at once: the items queued with the same `send` in one
 * transaction go to one call of it, run where the first of them was queued (a batch's hundred
 * notices, one statement); false outside a transaction.
 */
export function beforeCommitEach<T>(send: (db: Driver, items: T[]) => Promise<void>, item: T): boolean {
  const p = pending.getStore();
  if (!p || p.ended) return false;
  let items = p.gathered.get(send) as T[] | undefined;
  if (!items) {
    const list: T[] = [];
    items = list;
    p.gathered.set(send, list);
    p.beforeCommit.push(async (db) => {
      p.gathered.delete(send); // an item queued from here on starts a call of its own
      await send(db, list);
    });
  }
  items.push(item);
  return true;
}

/**
 * Runs `fn` (a transaction) and, once it has resolved, the work it queued. `fn` is handed the
 * function that runs the beforeCommit work on its connection: it calls it last, before committing.
 * A transaction begun inside another's callback is handed one that does nothing (the outer
 * transaction runs the work it queued).
 */
export async function withAfterCommit<T>(fn: (flush: (db: Driver) => Promise<void>) => Promise<T>): Promise<T> {
  const outer = pending.getStore();
  if (outer && !outer.ended) return fn(async () => undefined);
  const p: Pending = { work: [], beforeCommit: [], gathered: new Map(), ended: false };
  const flush = async (db: Driver): Promise<void> => {
    for (let w = p.beforeCommit.shift(); w; w = p.beforeCommit.shift()) await w(db);
  };
  try {
    const result = await pending.run(p, () => fn(flush));
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
