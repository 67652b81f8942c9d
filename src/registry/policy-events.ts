import type { Scope } from '../base/scope.js';
import { Notice } from './notice.js';

/**
 * Notice (notice.ts) that what decides a session's effective policies may have changed in an
 * account and region: a policy's default version, a policy attachment (to a certificate or a
 * thing group), a thing's group memberships (static, dynamic, the ADD_THINGS_TO_THING_GROUP
 * mitigation action), a thing's principals, or a thing's attributes and type (thing policy
 * variables). The MQTT broker of this process, and those of the other nodes sharing the database
 * (notice.ts), recompile the policies of their sessions in that scope before their next decision
 * (src/broker/broker.ts); on another node "before" means once the notice has arrived, a few
 * milliseconds after the commit.
 * The notice is per scope, deliberately coarse: it is sent by the one registry function of each
 * change, whatever the operation or engine that calls it.
 */
export interface PoliciesChange {
  readonly accountId: string;
  readonly region: string;
}

const notice = new Notice<PoliciesChange>({
  kind: 'policies',
  fields: ['accountId', 'region'],
  // Anything may have changed: every account and region that holds a certificate (and so may have sessions).
  everything: (repos) => repos.certificates.scopes(),
});

export const onPoliciesChanged = (listener: (change: PoliciesChange) => void): (() => void) => notice.listen(listener);

/** Tells the listeners once the current transaction (if any) has committed. */
export function policiesChanged(scope: Scope): void {
  notice.send({ accountId: scope.accountId, region: scope.region });
}
