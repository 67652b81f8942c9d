import type { Scope } from '../base/scope.js';

/**
 * In-process notice of a device certificate's status change, for the MQTT broker of this process
 * (it closes the sessions of a certificate that is no longer ACTIVE). Listeners run after the
 * change is written by the caller's transaction; other nodes are not told yet (multi-node is
 * left for later: LISTEN/NOTIFY on PostgreSQL).
 */
export interface CertificateStatusChange {
  readonly accountId: string;
  readonly region: string;
  readonly certificateId: string;
  readonly status: string;
}

type Listener = (change: CertificateStatusChange) => void;
const listeners = new Set<Listener>();

/** Adds a listener; answers the function that removes it. */
export function onCertificateStatus(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Tells the listeners, a little later than now: the change is still inside its transaction when
 * this is called, and a listener that re-reads the certificate should see it committed.
 */
export function certificateStatusChanged(scope: Scope, certificateId: string, status: string): void {
  if (listeners.size === 0) return;
  const change = { accountId: scope.accountId, region: scope.region, certificateId, status };
  setTimeout(() => {
    for (const l of listeners) {
      try {
        l(change);
      } catch {
        // a listener's failure is its own
      }
    }
  }, 20).unref();
}
