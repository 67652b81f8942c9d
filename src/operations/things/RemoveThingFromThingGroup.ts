import type { Context } from '../../context/context.js';
import type { RemoveThingFromThingGroupRequest, RemoveThingFromThingGroupResponse } from '../../generated/shapes.js';
import { removeThingFromThingGroup } from '../../registry/things.js';
import { nameOrArn } from './common.js';

/** Removing a thing that is not in the group succeeds. */
export async function RemoveThingFromThingGroup(input: RemoveThingFromThingGroupRequest, ctx: Context): Promise<RemoveThingFromThingGroupResponse> {
  const thingGroupName = nameOrArn(ctx, 'thinggroup', input.thingGroupName, input.thingGroupArn, 'thingGroup');
  const thingName = nameOrArn(ctx, 'thing', input.thingName, input.thingArn, 'thing');
  await ctx.store.transaction((tx) => removeThingFromThingGroup(tx, ctx, { thingName, thingGroupName }));
  return {};
}
