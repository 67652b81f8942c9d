import type { Context } from '../../context/context.js';
import type { AddThingToThingGroupRequest, AddThingToThingGroupResponse } from '../../generated/shapes.js';
import { addThingToThingGroup } from '../../registry/things.js';
import { nameOrArn } from './common.js';

export async function AddThingToThingGroup(input: AddThingToThingGroupRequest, ctx: Context): Promise<AddThingToThingGroupResponse> {
  const thingGroupName = nameOrArn(ctx, 'thinggroup', input.thingGroupName, input.thingGroupArn, 'thingGroup');
  const thingName = nameOrArn(ctx, 'thing', input.thingName, input.thingArn, 'thing');
  await ctx.store.transaction((tx) => addThingToThingGroup(tx, ctx, { thingName, thingGroupName, overrideDynamicGroups: input.overrideDynamicGroups }));
  return {};
}
