import { checkExpectedVersion } from '../version.js';
import { randomUUID } from 'node:crypto';
import type { Scope } from '../../base/scope.js';
import type { Context } from '../../context/context.js';
import { InvalidRequestException, ResourceNotFoundException } from '../../generated/errors.js';
import type { Tag, ThingGroupProperties } from '../../generated/shapes.js';
import type { Repos, StoreTx } from '../../store/store.js';
import { awsError } from '../../registry/aws-messages.js';
import { groupLock } from '../../registry/things.js';
import { policiesChanged } from '../../registry/policy-events.js';
import type { ThingGroupRecord } from '../../store/thing-groups.js';
import { applyAttributes, sameAttributes, thingGroupArn } from './common.js';

/** Shared rules of static and dynamic thing groups. */

/** AWS quotas: hierarchy depth 7, 100 direct children per group, 100 dynamic groups per account. */
export const MAX_GROUP_DEPTH = 7;
export const MAX_CHILD_GROUPS = 100;
export const MAX_DYNAMIC_GROUPS = 100;

export async function existingGroup(db: Repos, scope: Scope, name: string): Promise<ThingGroupRecord> {
  const g = await db.thingGroups.get(scope, name);
  if (!g) throw new ResourceNotFoundException(`Thing group ${name} does not exist.`);
  return g;
}

/**
 * Static groups are changed by the static operations, dynamic ones by the dynamic ones (AWS: "a
 * different set of commands"). A static operation on a dynamic group answers AWS's text; AWS's
 * text for the reverse is not known.
 */
export function requireKind(g: ThingGroupRecord, dynamic: boolean, operation: string): void {
  if (g.isDynamic === dynamic) return;
  if (g.isDynamic) throw awsError('dynamicThingGroupNotSupported', { thingGroupArn: g.arn });
  throw new InvalidRequestException(`Thing group ${g.name} is static; use ${operation} for dynamic groups only.`);
}

export const checkVersion = (g: ThingGroupRecord, expected: number | undefined): void => checkExpectedVersion('Thing group', g, expected);

/** The properties after an update: a given description replaces the old one ('' removes it), attributes follow the payload. */
export function updatedProperties(g: ThingGroupRecord, p: ThingGroupProperties): Pick<ThingGroupRecord, 'description' | 'attributes'> {
  const description = p.thingGroupDescription === undefined ? g.description : p.thingGroupDescription || undefined;
  return { description, attributes: applyAttributes(g.attributes, p.attributePayload) };
}

type NewGroup = Pick<ThingGroupRecord, 'name' | 'isDynamic' | 'queryString' | 'queryVersion' | 'indexName' | 'status'> & {
  parent?: ThingGroupRecord;
  properties?: ThingGroupProperties;
  tags?: Tag[];
};

/**
 * Inserts a group; the same name with the same kind, parent, properties (and query) answers the
 * existing group, anything else conflicts. Returns the stored group and whether it is new.
 */
export async function insertGroup(tx: StoreTx, ctx: Context, n: NewGroup): Promise<{ group: ThingGroupRecord; created: boolean }> {
  const arn = thingGroupArn(ctx, n.name);
  const path = (n.parent?.path ?? '') + n.name + '/';
  const group: ThingGroupRecord = {
    name: n.name,
    groupId: randomUUID(),
    arn,
    parentName: n.parent?.name,
    rootName: n.parent?.rootName ?? n.name,
    path,
    depth: (n.parent?.depth ?? 0) + 1,
    isDynamic: n.isDynamic,
    description: n.properties?.thingGroupDescription || undefined,
    attributes: applyAttributes({}, n.properties?.attributePayload),
    version: 1,
    queryString: n.queryString,
    queryVersion: n.queryVersion,
    indexName: n.indexName,
    status: n.status,
    createdAt: ctx.clock.now(),
  };
  if (await tx.thingGroups.insert(ctx, group)) {
    if (n.tags?.length) await tx.tags.put(ctx, arn, n.tags);
    return { group, created: true };
  }
  const e = (await tx.thingGroups.get(ctx, n.name))!;
  const same =
    e.isDynamic === group.isDynamic &&
    e.parentName === group.parentName &&
    e.description === group.description &&
    sameAttributes(e.attributes, group.attributes) &&
    e.queryString === group.queryString &&
    e.queryVersion === group.queryVersion;
  if (same) return { group: e, created: false };
  throw awsError('thingGroupDifferentProperties', { thingGroupName: n.name }, { resourceId: e.groupId, resourceArn: e.arn });
}

/** Deletes a group of the given kind with its memberships and tags; a missing group succeeds. */
export async function deleteGroup(ctx: Context, name: string, expectedVersion: number | undefined, dynamic: boolean): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, groupLock(name));
    const g = await tx.thingGroups.get(ctx, name);
    if (!g) return;
    requireKind(g, dynamic, dynamic ? 'DeleteDynamicThingGroup' : 'DeleteThingGroup');
    checkVersion(g, expectedVersion);
    if ((await tx.thingGroups.countChildren(ctx, name)) > 0) {
      throw awsError('thingGroupHasChildren', { thingGroupName: name });
    }
    await tx.thingGroupMembers.removeGroup(ctx, name);
    await tx.thingGroups.delete(ctx, name);
    policiesChanged(ctx);
    await tx.tags.removeAll(ctx, g.arn);
  });
}
