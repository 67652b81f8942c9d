import type { Logger } from 'pino';
import type { Scope } from '../base/scope.js';
import type { ConnectionEvent } from '../store/connection-events.js';
import type { Store } from '../store/store.js';
import { Batches, inParts } from './batches.js';

/** How often queued connects and disconnects are written. */
const FLUSH_MS = 200;

/**
 * The broker's connects and disconnects, written in batches as the connection events that
 * DEVICE_CERTIFICATE_SHARED_CHECK and CONFLICTING_CLIENT_IDS_CHECK read (the store function
 * POST /_warden/connection-events uses). A disconnect lands on its connect's row (same client,
 * principal and connect time).
 */
export class ConnectionLog {
  private readonly batches: Batches<ConnectionEvent[]>;

  constructor(store: Store, log: Logger) {
    this.batches = new Batches<ConnectionEvent[]>({
      store,
      log,
      what: 'connection events',
      everyMs: FLUSH_MS,
      empty: () => [],
      // In order: a connect's part is written before its disconnect's.
      parts: inParts,
      write: async (tx, scope, events) => {
        await tx.connectionEvents.record(scope, events);
      },
    });
  }

  add(scope: Scope, e: ConnectionEvent): void {
    this.batches.at(scope).push(e);
  }

  flush(): Promise<void> {
    return this.batches.flush();
  }

  close(): Promise<void> {
    return this.batches.close();
  }
}
