import type { Scope } from '../base/scope.js';
import { afterCommit } from '../store/after-commit.js';

/**
 * In-process notice that what decides a session's effective policies may have changed in an
 * account and region: a policy's default version, a policy attachment (to a certificate or a
 * thing group), a thing's group memberships (static, dynamic, the ADD_THINGS_TO_THING_GROUP
 * mitigation action), a thing's principals, or a thing's attributes and type (thing policy
 * variables). The MQTT broker of this process recompiles the policies of its sessions in that
 * scope before their next decision (src/broker/broker.ts). Listeners run once the caller's
 * Store.transaction has committed (afterCommit), so what they re-read is the change itself;
 * other nodes are not told yet (multi-node is left for later: LISTEN/NOTIFY on PostgreSQL).
 * The notice is per scope, deliberately coarse: it is sent by the one registry function of each
 * change, whatever the operation or engine that calls it.
 */
export interface PoliciesChange {
  readonly accountId: string;
  readonly region: string;
}

type Listener = (change: PoliciesChange) => void;
const listeners = new Set<Listener>();

/** Adds a listener; answers the function that removes it. */
export function onPoliciesChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells the listeners once the current transaction (if any) has committed. */
export function policiesChanged(scope: Scope): void {
  if (listeners.size === 0) return;
  const change = { accountId: scope.accountId, region: scope.region };
  afterCommit(() => {
    for (const l of listeners) {
      try {
        l(change);
      } catch {
        // a listener's failure is its own
      }
    }
  });
}
