import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';
import { InvalidRequestException, ResourceNotFoundException } from '../generated/errors.js';
import type { Repos, StoreTx } from '../store/store.js';
import type { Membership } from '../store/thing-group-members.js';
import type { ThingGroupRecord } from '../store/thing-groups.js';
import type { ThingRecord } from '../store/things.js';
import { compiledQuery, matches, type ThingDoc } from './fleet-query.js';
import { policiesChanged } from './policy-events.js';

/**
 * The registry rules of things and thing groups, shared by the public operations and the
 * mitigation engine (ADD_THINGS_TO_THING_GROUP). Every write takes a transaction.
 */

/** "You can add a thing to a maximum of 10 groups" (static and dynamic together). */
export const MAX_GROUPS_PER_THING = 10;

/**
 * Lock keys (PostgreSQL advisory locks; SQLite serialises writers anyway). A group's key is taken
 * by whatever adds to it, creates a child under it or deletes it, always before a thing's key, so
 * a membership or child never outlives a concurrently deleted group and the lock order is fixed.
 */
export const groupLock = (name: string): string => `thing-group/${name}`;
const thingLock = (name: string): string => `thing-membership/${name}`;

/** A scope with the clock of its caller (the request's, or the engine's): membership times. */
export type ClockedScope = Scope & { readonly clock: Clock };

/**
 * The thing is already in the maximum number of groups and no dynamic group could make room.
 * An InvalidRequestException on the wire; the engine maps it to INVALID_STATE_OF_RESOURCE.
 */
export class ThingGroupLimitError extends InvalidRequestException {}

export async function thingExists(db: Repos, scope: Scope, name: string): Promise<boolean> {
  return (await db.things.get(scope, name)) !== undefined;
}

/** Names of the groups the thing is directly in (static and dynamic), in name order. */
export async function groupsOfThing(db: Repos, scope: Scope, thingName: string): Promise<string[]> {
  return (await db.thingGroupMembers.ofThing(scope, thingName)).map((m) => m.groupName).sort();
}

/** The group's ancestors, top group first (empty for a top group or a missing group). */
export async function ancestorsOfGroup(db: Repos, scope: Scope, groupName: string): Promise<string[]> {
  const g = await db.thingGroups.get(scope, groupName);
  return g ? g.path.split('/').slice(0, -2) : [];
}

async function existingThingAndGroup(tx: StoreTx, scope: Scope, thingName: string, groupName: string) {
  const group = await tx.thingGroups.get(scope, groupName);
  if (!group) throw groupNotFound(groupName);
  if (!(await thingExists(tx, scope, thingName))) throw thingNotFound(thingName);
  return group;
}

const groupNotFound = (groupName: string): Error => new ResourceNotFoundException(`Thing group ${groupName} does not exist.`);
const thingNotFound = (thingName: string): Error => new ResourceNotFoundException(`Thing ${thingName} does not exist.`);
const dynamicGroup = (groupName: string, verb: 'added' | 'removed'): Error =>
  new InvalidRequestException(`Thing group ${groupName} is dynamic: its members follow its query and cannot be ${verb} by hand.`);

/** One all-or-nothing request of addThingsToThingGroups: every thing joins every group. */
export interface GroupJoin {
  thingNames: readonly string[];
  thingGroupNames: readonly string[];
  overrideDynamicGroups?: boolean;
}

/**
 * Adds things to static groups, for a batch of joins: one for AddThingToThingGroup and
 * UpdateThingGroupsForThing, the claimed batch for ADD_THINGS_TO_THING_GROUP. For each thing and
 * group, in order: the group and the thing exist, the group is not dynamic, the thing is in no
 * other group of the same hierarchy, and in at most 10 groups; at the limit with
 * `overrideDynamicGroups` it leaves its most recently joined dynamic group. Already a member:
 * nothing to do. A join is all or nothing: its first refusal is its answer (undefined when it
 * went through) and none of its memberships is written. Joins are taken in order, each seeing what
 * the ones before it did, as if one call were made for each; the things' memberships are read in
 * one query and the changes written in multi-row statements.
 * Locks: every group's `groupLock` in name order, then every thing's, so concurrent callers
 * (one group each, or several) cannot deadlock. A group's is taken shared: what the rules read of
 * a group (that it exists, is static, its hierarchy) changes only under its exclusive lock
 * (DeleteThingGroup), and the rest they read is the things', whose locks are exclusive; so
 * batches quarantining different things into one group run side by side on several nodes
 * instead of in turn. Both kinds in one statement.
 */
export async function addThingsToThingGroups(tx: StoreTx, scope: ClockedScope, joins: readonly GroupJoin[]): Promise<(Error | undefined)[]> {
  const groupNames = [...new Set(joins.flatMap((j) => j.thingGroupNames))].sort();
  const thingNames = [...new Set(joins.flatMap((j) => j.thingNames))].sort();
  await tx.lock(scope, [...groupNames.map(groupLock), ...thingNames.map(thingLock)], [...groupNames.map(() => 'shared' as const), ...thingNames.map(() => 'exclusive' as const)]);
  const groups = new Map<string, ThingGroupRecord>();
  for (const g of groupNames) {
    const group = await tx.thingGroups.get(scope, g);
    if (group) groups.set(g, group);
  }
  const things = await tx.things.existing(scope, thingNames);
  const memberships = await tx.thingGroupMembers.ofThings(scope, [...things]);
  let now: Date | undefined; // read from the clock only when a membership is added, as one call would
  const added: { groupName: string; thingName: string; isDynamic: boolean }[] = [];
  const removed: { groupName: string; thingName: string }[] = [];
  const results = joins.map((join): Error | undefined => {
    // The join's view of its things' memberships; kept only when the whole join goes through.
    const view = new Map<string, Membership[]>();
    const adds: { groupName: string; thingName: string; isDynamic: false }[] = [];
    const removes: { groupName: string; thingName: string }[] = [];
    for (const thingName of join.thingNames) {
      for (const thingGroupName of join.thingGroupNames) {
        const group = groups.get(thingGroupName);
        if (!group) return groupNotFound(thingGroupName);
        if (!things.has(thingName)) return thingNotFound(thingName);
        if (group.isDynamic) return dynamicGroup(thingGroupName, 'added');
        let mine = view.get(thingName);
        if (!mine) view.set(thingName, (mine = [...(memberships.get(thingName) ?? [])]));
        if (mine.some((m) => m.groupName === thingGroupName)) continue;
        const sameHierarchy = mine.find((m) => m.rootName === group.rootName);
        if (sameHierarchy) {
          return new InvalidRequestException(
            `Thing ${thingName} is already in thing group ${sameHierarchy.groupName} of the same hierarchy (${group.rootName}) as ${thingGroupName}; a thing can be in only one group of a hierarchy.`,
          );
        }
        if (mine.length >= MAX_GROUPS_PER_THING) {
          const lastDynamic = [...mine].reverse().find((m) => m.isDynamic);
          if (!join.overrideDynamicGroups || !lastDynamic) {
            return new ThingGroupLimitError(
              `Thing ${thingName} is already in ${mine.length} thing groups, the most allowed${lastDynamic ? '; set overrideDynamicGroups to let it leave a dynamic group' : ''}.`,
            );
          }
          mine.splice(mine.lastIndexOf(lastDynamic), 1);
          removes.push({ groupName: lastDynamic.groupName, thingName });
        }
        mine.push({ groupName: thingGroupName, isDynamic: false, addedAt: (now ??= scope.clock.now()).getTime(), rootName: group.rootName });
        adds.push({ groupName: thingGroupName, thingName, isDynamic: false });
      }
    }
    for (const [thingName, mine] of view) memberships.set(thingName, mine);
    // Only dynamic memberships leave and only static ones join, so no row is both added and removed.
    added.push(...adds);
    removed.push(...removes);
    return undefined;
  });
  for (const r of removed) await tx.thingGroupMembers.remove(scope, r.groupName, r.thingName);
  if (now) await tx.thingGroupMembers.addAll(scope, added, now);
  if (added.length || removed.length) policiesChanged(scope);
  return results;
}

/** AddThingToThingGroup: addThingsToThingGroups for one thing and one group; its refusal is thrown. */
export async function addThingToThingGroup(
  tx: StoreTx,
  scope: ClockedScope,
  opts: { thingName: string; thingGroupName: string; overrideDynamicGroups?: boolean },
): Promise<void> {
  const [refused] = await addThingsToThingGroups(tx, scope, [{ thingNames: [opts.thingName], thingGroupNames: [opts.thingGroupName], overrideDynamicGroups: opts.overrideDynamicGroups }]);
  if (refused) throw refused;
}

/** Removes a thing from a static group; not a member: no-op. */
export async function removeThingFromThingGroup(tx: StoreTx, scope: Scope, opts: { thingName: string; thingGroupName: string }): Promise<void> {
  const group = await existingThingAndGroup(tx, scope, opts.thingName, opts.thingGroupName);
  if (group.isDynamic) throw dynamicGroup(opts.thingGroupName, 'removed');
  await tx.thingGroupMembers.remove(scope, opts.thingGroupName, opts.thingName);
  policiesChanged(scope);
}

const docOf = (t: ThingRecord): ThingDoc => ({ thingName: t.name, thingId: t.thingId, thingTypeName: t.thingTypeName, attributes: t.attributes });

/**
 * Re-evaluates one thing against every dynamic group of the scope (after it is created or
 * updated): it leaves the groups it no longer matches and joins those it now matches while it is
 * in fewer than 10 groups (AWS does not add a thing that is already at the limit).
 */
export async function refreshDynamicGroupsOfThing(tx: StoreTx, scope: ClockedScope, thing: ThingRecord, isNew: boolean): Promise<void> {
  // Every thing write comes here: its attributes and type are policy variables, its dynamic groups
  // may carry policies. A new thing has no principal yet, so no session to tell.
  if (!isNew) policiesChanged(scope);
  const groups = await tx.thingGroups.dynamicGroups(scope);
  if (groups.length === 0) return;
  await tx.lock(scope, thingLock(thing.name));
  const doc = docOf(thing);
  const memberships = isNew ? [] : await tx.thingGroupMembers.ofThing(scope, thing.name);
  const current = new Set(memberships.map((m) => m.groupName));
  let count = memberships.length;
  const matching = groups.filter((g) => matches(compiledQuery(g.queryString), doc));
  const matchingNames = new Set(matching.map((g) => g.name));
  for (const g of groups) {
    if (current.has(g.name) && !matchingNames.has(g.name)) {
      await tx.thingGroupMembers.remove(scope, g.name, thing.name);
      count--;
    }
  }
  const now = scope.clock.now();
  for (const g of matching) {
    if (current.has(g.name) || count >= MAX_GROUPS_PER_THING) continue;
    await tx.thingGroupMembers.add(scope, g.name, thing.name, true, now);
    count++;
  }
}

const PAGE = 5000;

/**
 * (Re)computes a dynamic group's members from its query: things are read in pages of the things
 * table, evaluated in JS, and the difference is written in multi-row statements. Things already
 * in 10 groups are not added.
 */
export async function rebuildDynamicGroup(tx: StoreTx, scope: ClockedScope, groupName: string, queryString: string): Promise<void> {
  const query = compiledQuery(queryString);
  const current = new Set(await tx.thingGroupMembers.allThingNames(scope, groupName));
  const full = new Set(await tx.thingGroupMembers.thingsAtLimit(scope, MAX_GROUPS_PER_THING));
  const toAdd: string[] = [];
  const toRemove: string[] = [];
  let afterName: string | undefined;
  for (;;) {
    const rows = await tx.things.list(scope, { afterName, limit: PAGE });
    for (const t of rows.slice(0, PAGE)) {
      const match = matches(query, docOf(t));
      if (match && !current.has(t.name) && !full.has(t.name)) toAdd.push(t.name);
      if (!match && current.has(t.name)) toRemove.push(t.name);
    }
    if (rows.length <= PAGE) break;
    afterName = rows[PAGE - 1].name;
  }
  await tx.thingGroupMembers.removeMany(scope, groupName, toRemove);
  await tx.thingGroupMembers.addMany(scope, groupName, toAdd, true, scope.clock.now());
  if (toAdd.length || toRemove.length) policiesChanged(scope);
}
