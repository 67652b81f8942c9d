import { afterCommit } from '../store/after-commit.js';

/**
 * An in-process notice of a registry change (certificate-events.ts, policy-events.ts): listeners
 * (the MQTT broker of this process) are told once the caller's Store.transaction has committed
 * (at once outside a transaction; never when it rolls back), so what they re-read is the change
 * itself. A listener's failure is its own. Other nodes are not told yet (LISTEN/NOTIFY on
 * PostgreSQL is left for later).
 */
export class Notice<T> {
  private readonly listeners = new Set<(change: T) => void>();

  /** Adds a listener; answers the function that removes it. */
  listen(listener: (change: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(change: T): void {
    if (this.listeners.size === 0) return;
    afterCommit(() => {
      for (const l of this.listeners) {
        try {
          l(change);
        } catch {
          // a listener's failure is its own
        }
      }
    });
  }
}
