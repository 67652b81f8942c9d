import { randomUUID } from 'node:crypto';
import type { Scope } from '../base/scope.js';
import { ResourceAlreadyExistsException, ResourceNotFoundException } from '../generated/errors.js';
import type { BillingGroupRecord } from '../store/billing-groups.js';
import type { Repos, StoreTx } from '../store/store.js';
import type { Tag } from '../store/tags.js';
import { iotArn } from './arn.js';
import { checkNewTags } from './resources.js';
import type { ClockedScope } from './things.js';

/**
 * The registry rules of billing groups. A thing is in at most one billing group: adding it to
 * another moves it there. Billing groups have no hierarchy and no attributes, only a description.
 *
 * Lock keys (PostgreSQL advisory locks; SQLite serialises writers anyway): whatever adds to a
 * group or deletes it takes the group's key, and whatever changes or deletes a thing's billing
 * membership takes the thing's key, the group's first, so a membership never outlives its group
 * or its thing and the order is fixed.
 */
export const billingGroupLock = (name: string): string => `billing-group/${name}`;
export const billingThingLock = (thingName: string): string => `billing-membership/${thingName}`;

export const billingGroupArn = (scope: Scope, name: string): string => iotArn(scope, `billinggroup/${name}`);

export async function existingBillingGroup(db: Repos, scope: Scope, name: string): Promise<BillingGroupRecord> {
  const g = await db.billingGroups.get(scope, name);
  if (!g) throw new ResourceNotFoundException(`Billing group ${name} does not exist.`);
  return g;
}

/**
 * Creates a billing group with its tags. The same name with the same description answers the
 * existing group (its tags are left as they are); another description conflicts.
 */
export async function createBillingGroup(tx: StoreTx, scope: ClockedScope, n: { name: string; description?: string; tags?: Tag[] }): Promise<BillingGroupRecord> {
  checkNewTags(n.tags);
  const group: BillingGroupRecord = {
    name: n.name,
    groupId: randomUUID(),
    arn: billingGroupArn(scope, n.name),
    description: n.description || undefined,
    version: 1,
    createdAt: scope.clock.now(),
  };
  if (await tx.billingGroups.insert(scope, group)) {
    if (n.tags?.length) await tx.tags.put(scope, group.arn, n.tags);
    return group;
  }
  const e = (await tx.billingGroups.get(scope, n.name))!;
  if (e.description === group.description) return e;
  throw new ResourceAlreadyExistsException(`Billing group ${n.name} already exists with a different configuration.`, { resourceId: e.groupId, resourceArn: e.arn });
}

/** Deletes a group, its memberships (its things are then in no billing group) and its tags; a missing group: false. */
export async function deleteBillingGroup(tx: StoreTx, scope: Scope, name: string, check: (g: BillingGroupRecord) => void): Promise<boolean> {
  await tx.lock(scope, billingGroupLock(name));
  const g = await tx.billingGroups.get(scope, name);
  if (!g) return false;
  check(g);
  await tx.billingGroups.delete(scope, name);
  await tx.tags.removeAll(scope, g.arn);
  return true;
}

/** Locks the group and the thing's membership, then requires both to exist. */
async function lockedGroupAndThing(tx: StoreTx, scope: Scope, groupName: string, thingName: string): Promise<void> {
  await tx.lock(scope, billingGroupLock(groupName));
  await tx.lock(scope, billingThingLock(thingName));
  await existingBillingGroup(tx, scope, groupName);
  if (!(await tx.things.get(scope, thingName))) throw new ResourceNotFoundException(`Thing ${thingName} does not exist.`);
}

/**
 * Puts a thing in a billing group: out of the billing group it was in, if any. Already in this
 * group: nothing changes. The thing's thing groups are not affected (the two are independent).
 */
export async function addThingToBillingGroup(tx: StoreTx, scope: ClockedScope, opts: { thingName: string; billingGroupName: string }): Promise<void> {
  await lockedGroupAndThing(tx, scope, opts.billingGroupName, opts.thingName);
  await joinBillingGroup(tx, scope, opts.thingName, opts.billingGroupName);
}

/**
 * The membership write alone, for a caller that already holds the group's lock and knows the group
 * and the thing exist (CreateThing with billingGroupName).
 */
export async function joinBillingGroup(tx: StoreTx, scope: ClockedScope, thingName: string, billingGroupName: string): Promise<void> {
  await tx.lock(scope, billingThingLock(thingName));
  if ((await tx.billingGroups.groupOfThing(scope, thingName)) === billingGroupName) return;
  await tx.billingGroups.setGroupOfThing(scope, thingName, billingGroupName, scope.clock.now());
}

/** Takes a thing out of a billing group; a thing that is not in it (or in another one) stays as it is. */
export async function removeThingFromBillingGroup(tx: StoreTx, scope: Scope, opts: { thingName: string; billingGroupName: string }): Promise<void> {
  await lockedGroupAndThing(tx, scope, opts.billingGroupName, opts.thingName);
  await tx.billingGroups.removeThing(scope, opts.thingName, opts.billingGroupName);
}

/** A thing being deleted leaves its billing group. */
export async function leaveBillingGroup(tx: StoreTx, scope: Scope, thingName: string): Promise<void> {
  await tx.lock(scope, billingThingLock(thingName));
  await tx.billingGroups.removeThing(scope, thingName);
}
