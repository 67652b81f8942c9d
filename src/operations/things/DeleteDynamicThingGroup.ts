import type { Context } from '../../context/context.js';
import type { DeleteDynamicThingGroupRequest, DeleteDynamicThingGroupResponse } from '../../generated/shapes.js';
import { deleteGroup } from './thing-groups.js';

/** A missing group succeeds, like DeleteThingGroup. */
export async function DeleteDynamicThingGroup(input: DeleteDynamicThingGroupRequest, ctx: Context): Promise<DeleteDynamicThingGroupResponse> {
  await deleteGroup(ctx, input.thingGroupName, input.expectedVersion, true);
  return {};
}
