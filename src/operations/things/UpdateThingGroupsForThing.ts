import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { UpdateThingGroupsForThingRequest, UpdateThingGroupsForThingResponse } from '../../generated/shapes.js';
import { addThingsToThingGroups, groupLock, removeThingFromThingGroup } from '../../registry/things.js';

/** Removals first, then additions, all or nothing in one transaction, with the rules of the single operations. */
export async function UpdateThingGroupsForThing(input: UpdateThingGroupsForThingRequest, ctx: Context): Promise<UpdateThingGroupsForThingResponse> {
  const thingName = input.thingName;
  if (thingName === undefined) throw new InvalidRequestException('thingName is required.');
  await ctx.store.transaction(async (tx) => {
    for (const name of [...new Set(input.thingGroupsToAdd)].sort()) await tx.lock(ctx, groupLock(name));
    for (const thingGroupName of input.thingGroupsToRemove ?? []) await removeThingFromThingGroup(tx, ctx, { thingName, thingGroupName });
    const [refused] = await addThingsToThingGroups(tx, ctx, [{ thingNames: [thingName], thingGroupNames: input.thingGroupsToAdd ?? [], overrideDynamicGroups: input.overrideDynamicGroups }]);
    if (refused) throw refused;
  });
  return {};
}
