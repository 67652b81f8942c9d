import type { Logger } from 'pino';
import type { Scope } from '../base/scope.js';
import type { ConnectionEvent } from '../store/connection-events.js';
import type { Store } from '../store/store.js';

/** How often queued connects and disconnects are written. */
const FLUSH_MS = 200;

/**
 * The broker's connects and disconnects, written in batches as the connection events that
 * DEVICE_CERTIFICATE_SHARED_CHECK and CONFLICTING_CLIENT_IDS_CHECK read (the store function
 * POST /_warden/connection-events uses): the broker never waits on the database. A disconnect
 * lands on its connect's row (same client, principal and connect time).
 */
export class ConnectionLog {
  private queue = new Map<string, { scope: Scope; events: ConnectionEvent[] }>();
  private readonly timer: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly log: Logger) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  add(scope: Scope, e: ConnectionEvent): void {
    const key = `${scope.accountId}/${scope.region}`;
    let q = this.queue.get(key);
    if (!q) this.queue.set(key, (q = { scope, events: [] }));
    q.events.push(e);
  }

  /** Writes what is queued (one transaction per scope), after the write in progress. */
  flush(): Promise<void> {
    if (this.queue.size === 0) return this.writing;
    const batch = [...this.queue.values()];
    this.queue = new Map();
    this.writing = this.writing.then(async () => {
      for (const { scope, events } of batch) {
        try {
          await this.store.transaction((tx) => tx.connectionEvents.record(scope, events));
        } catch (e) {
          this.log.warn({ err: (e as Error).message, events: events.length }, 'mqtt connection events not written');
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
