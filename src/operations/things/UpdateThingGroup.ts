import type { Context } from '../../context/context.js';
import type { UpdateThingGroupRequest, UpdateThingGroupResponse } from '../../generated/shapes.js';
import { checkVersion, existingGroup, requireKind, updatedProperties } from './thing-groups.js';

export async function UpdateThingGroup(input: UpdateThingGroupRequest, ctx: Context): Promise<UpdateThingGroupResponse> {
  return ctx.store.transaction(async (tx) => {
    const g = await existingGroup(tx, ctx, input.thingGroupName);
    requireKind(g, false, 'UpdateThingGroup');
    checkVersion(g, input.expectedVersion);
    const version = g.version + 1;
    await tx.thingGroups.update(ctx, { ...g, ...updatedProperties(g, input.thingGroupProperties), version });
    return { version };
  });
}
