import type { Scope } from '../base/scope.js';
import type { StoreTx } from '../store/store.js';
import type { BehaviorSlot } from './evaluation.js';
import { targetsOf } from './profile-cache.js';
import { ViolationWriter } from './violation-writer.js';

/**
 * AWS: a violation is invalidated "when a behavior is deleted or the thing leaves the target".
 * Ends, alarm-invalidated, the open violations of one profile in the caller's transaction: of the
 * behaviors `keepBehavior` refuses (all when absent), and of the things no target in
 * `remainingTargets` covers any more (after a detach). Their states start afresh. Answers the
 * number of alerts written.
 */
export async function invalidateProfile(
  tx: StoreTx,
  scope: Scope,
  profileName: string,
  at: Date,
  o: { alertTopicArn?: string; keepBehavior?: (name: string) => boolean; remainingTargets?: Set<string>; snsDelivery: boolean },
): Promise<number> {
  const states = await tx.detectStates.ofProfile(scope, profileName);
  if (states.length === 0) return 0;
  const membership = o.remainingTargets ? await tx.detectStates.membership(scope, states.map((s) => s.thingName)) : undefined;
  const writer = new ViolationWriter(tx, scope, o);
  for (const rec of states) {
    const m = membership?.get(rec.thingName);
    const leaves = m !== undefined && !targetsOf(scope, m.registered, m.groups).some((arn) => o.remainingTargets!.has(arn));
    // A delete drops every behavior; an update those it no longer has; a detach the things it no longer covers.
    const drop = (name: string) => leaves || (o.keepBehavior ? !o.keepBehavior(name) : !o.remainingTargets);
    for (const [name, slot] of Object.entries(rec.states)) {
      if (!drop(name)) continue;
      const v = (slot as BehaviorSlot).v;
      if (v) writer.close(v, 'alarm-invalidated', undefined, at.getTime(), o.alertTopicArn);
      delete rec.states[name];
    }
    rec.active = Object.values(rec.states).filter((s) => (s as BehaviorSlot).v).length;
  }
  const alerts = await writer.flush();
  await tx.detectStates.save(scope, states);
  return alerts;
}
