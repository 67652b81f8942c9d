import type { Context } from '../../context/context.js';
import type { DeleteThingGroupRequest, DeleteThingGroupResponse } from '../../generated/shapes.js';
import { deleteGroup } from './thing-groups.js';

/** A missing group succeeds; a group with child groups is refused (InvalidRequestException: the model lists no conflict error). */
export async function DeleteThingGroup(input: DeleteThingGroupRequest, ctx: Context): Promise<DeleteThingGroupResponse> {
  await deleteGroup(ctx, input.thingGroupName, input.expectedVersion, false);
  return {};
}
