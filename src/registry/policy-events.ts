import type { Scope } from '../base/scope.js';
import { Notice } from './notice.js';

/**
 * Notice (notice.ts) that what decides a session's effective policies may have changed in an
 * account and region: a policy's default version, a policy attachment (to a certificate or a
 * thing group), a thing's group memberships (static, dynamic, the ADD_THINGS_TO_THING_GROUP
 * mitigation action), a thing's principals, or a thing's attributes and type (thing policy
 * variables). The MQTT broker of this process recompiles the policies of its sessions in that
 * scope before their next decision (src/broker/broker.ts).
 * The notice is per scope, deliberately coarse: it is sent by the one registry function of each
 * change, whatever the operation or engine that calls it.
 */
export interface PoliciesChange {
  readonly accountId: string;
  readonly region: string;
}

const notice = new Notice<PoliciesChange>();

export const onPoliciesChanged = (listener: (change: PoliciesChange) => void): (() => void) => notice.listen(listener);

/** Tells the listeners once the current transaction (if any) has committed. */
export function policiesChanged(scope: Scope): void {
  notice.send({ accountId: scope.accountId, region: scope.region });
}
