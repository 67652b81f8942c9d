import type { Logger } from 'pino';
import type { Scope } from '../base/scope.js';
import type { Store, StoreTx } from '../store/store.js';

export interface BatchesOptions<S> {
  store: Store;
  log: Logger;
  /** What the batches hold, for the log line when a write fails. */
  what: string;
  /** How often what has gathered is written. */
  everyMs: number;
  /** A new, empty batch. */
  empty: () => S;
  /** Writes one batch in the caller's transaction. */
  write: (tx: StoreTx, scope: Scope, batch: S, key: string) => Promise<void>;
  /**
   * Splits a large batch into parts, each written in a transaction of its own with the event loop
   * free in between (on SQLite a write holds the loop for as long as it takes); whole by default.
   */
  parts?: (batch: S) => S[];
  /**
   * Whether the timer writes a batch now (by default always): one that is not due keeps
   * gathering until a later tick finds it due. `since` is when the batch began to gather.
   * flush() and close() write every batch, due or not.
   */
  due?: (key: string, since: number, now: number) => boolean;
}

/** The most rows a part of a batch holds (on SQLite, a few milliseconds of writing). */
export const PART_ROWS = 200;

/** `items` in runs of at most PART_ROWS. */
export function inParts<T>(items: Iterable<T>): T[][] {
  const out: T[][] = [];
  for (const x of items) {
    if (out.length === 0 || out[out.length - 1].length >= PART_ROWS) out.push([]);
    out[out.length - 1].push(x);
  }
  return out;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * What the broker gathers for the database (connection events, Detect's cloud-side counters),
 * kept in memory per (account, region) and key and written every `everyMs`, one transaction per
 * batch (or per part of a large one, see `parts`), one write after another: the broker never
 * waits on the database per packet. A batch whose write fails is logged and dropped (the
 * broker's traffic goes on).
 */
export class Batches<S> {
  private queue = new Map<string, { scope: Scope; key: string; batch: S; since: number }>();
  /** Counts the flushes: a batch got from `at` is the one gathering while this has not changed. */
  generation = 0;
  private readonly timer: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly o: BatchesOptions<S>) {
    this.timer = setInterval(() => void this.flush(false), o.everyMs);
    this.timer.unref();
  }

  /** The batch of the scope (and key) gathering now, to add to. */
  at(scope: Scope, key = ''): S {
    const k = `${scope.accountId}/${scope.region}/${key}`;
    let q = this.queue.get(k);
    if (!q) this.queue.set(k, (q = { scope: { accountId: scope.accountId, region: scope.region }, key, batch: this.o.empty(), since: Date.now() }));
    return q.batch;
  }

  /** Writes what has gathered (`all`: every batch; else the due ones), after the write in progress. */
  flush(all = true): Promise<void> {
    const now = Date.now();
    const batches = [...this.queue].filter(([, q]) => all || !this.o.due || this.o.due(q.key, q.since, now));
    if (batches.length === 0) return this.writing;
    for (const [k] of batches) this.queue.delete(k);
    this.generation++;
    this.writing = this.writing.then(async () => {
      for (const [, { scope, key, batch }] of batches) {
        for (const [k, part] of (this.o.parts?.(batch) ?? [batch]).entries()) {
          // Between parts the event loop is free: a fleet's batch never holds up packets for long.
          if (k > 0) await yieldToLoop();
          try {
            await this.o.store.transaction((tx) => this.o.write(tx, scope, part, key));
          } catch (e) {
            this.o.log.warn({ err: (e as Error).message, accountId: scope.accountId, region: scope.region }, `mqtt ${this.o.what} not written`);
          }
        }
      }
    });
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
