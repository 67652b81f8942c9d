import type { Context } from '../../context/context.js';
import type { UpdateDynamicThingGroupRequest, UpdateDynamicThingGroupResponse } from '../../generated/shapes.js';
import { rebuildDynamicGroup } from '../../registry/things.js';
import { checkIndexAndQuery } from './dynamic-groups.js';
import { checkVersion, existingGroup, requireKind, updatedProperties } from './thing-groups.js';

/** A new query string recomputes the membership in the same transaction. */
export async function UpdateDynamicThingGroup(input: UpdateDynamicThingGroupRequest, ctx: Context): Promise<UpdateDynamicThingGroupResponse> {
  checkIndexAndQuery(input.indexName, input.queryString);
  return ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'dynamic-thing-groups');
    const g = await existingGroup(tx, ctx, input.thingGroupName);
    requireKind(g, true, 'UpdateDynamicThingGroup');
    checkVersion(g, input.expectedVersion);
    const version = g.version + 1;
    const queryString = input.queryString ?? g.queryString!;
    await tx.thingGroups.update(ctx, {
      ...g,
      ...updatedProperties(g, input.thingGroupProperties),
      version,
      queryString,
      queryVersion: input.queryVersion ?? g.queryVersion,
    });
    if (queryString !== g.queryString) await rebuildDynamicGroup(tx, ctx, g.name, queryString);
    return { version };
  });
}
