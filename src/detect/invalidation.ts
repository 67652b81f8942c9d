import type { Store } from '../store/store.js';
import { INVALIDATE_AFTER_MS } from './evaluate.js';
import type { BehaviorSlot } from './evaluation.js';
import type { ProfileCache } from './profile-cache.js';
import { ViolationWriter } from './violation-writer.js';

/** AWS: "If the device doesn't publish any metrics for more than two days, the violation event is set to alarm-invalidated." */
export const SILENCE_MS = INVALIDATE_AFTER_MS;

const CHUNK = 500;

/**
 * Ends, alarm-invalidated, the open violations of things that have sent no metrics for more than
 * two days (a chunk of states at a time, each scope in its transaction); the behavior's state
 * starts afresh. Answers the alerts written and whether more states may be due.
 */
export async function invalidateSilent(store: Store, profiles: ProfileCache, now: Date, o: { snsDelivery: boolean }): Promise<{ alerts: number; more: boolean }> {
  const due = await store.repos.detectStates.silentSince(new Date(now.getTime() - SILENCE_MS), CHUNK);
  const byScope = new Map<string, typeof due>();
  for (const d of due) {
    const k = `${d.scope.accountId}/${d.scope.region}`;
    byScope.set(k, [...(byScope.get(k) ?? []), d]);
  }
  let alerts = 0;
  for (const rows of byScope.values()) {
    const scope = rows[0].scope;
    const account = await profiles.get(scope);
    alerts += await store.transaction(async (tx) => {
      const writer = new ViolationWriter(tx, scope, o);
      for (const rec of rows) {
        const topic = account.profiles.find((p) => p.name === rec.profileName)?.alertTopicArn;
        for (const [name, slot] of Object.entries(rec.states)) {
          const v = (slot as BehaviorSlot).v;
          if (!v) continue;
          writer.close(v, 'alarm-invalidated', undefined, now.getTime(), topic);
          delete rec.states[name];
        }
        rec.active = 0;
      }
      const n = await writer.flush();
      await tx.detectStates.save(scope, rows);
      return n;
    });
  }
  return { alerts, more: due.length === CHUNK };
}
