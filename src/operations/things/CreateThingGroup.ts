import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { CreateThingGroupRequest, CreateThingGroupResponse } from '../../generated/shapes.js';
import { groupLock } from '../../registry/things.js';
import { insertGroup, MAX_CHILD_GROUPS, MAX_GROUP_DEPTH } from './thing-groups.js';

/**
 * The parent must exist and be static (dynamic groups cannot be part of a hierarchy), the
 * hierarchy may be 7 levels deep and a group may have 100 direct children. The model lists no
 * ResourceNotFoundException here, so a missing parent is an InvalidRequestException.
 */
export async function CreateThingGroup(input: CreateThingGroupRequest, ctx: Context): Promise<CreateThingGroupResponse> {
  return ctx.store.transaction(async (tx) => {
    let parent;
    if (input.parentGroupName !== undefined) {
      await tx.lock(ctx, groupLock(input.parentGroupName));
      parent = await tx.thingGroups.get(ctx, input.parentGroupName);
      if (!parent) throw new InvalidRequestException(`Parent thing group ${input.parentGroupName} does not exist.`);
      if (parent.isDynamic) throw new InvalidRequestException(`Thing group ${parent.name} is dynamic; a dynamic thing group cannot have child groups.`);
      if (parent.depth >= MAX_GROUP_DEPTH) {
        throw new InvalidRequestException(`Thing group ${parent.name} is at depth ${parent.depth}; a thing group hierarchy can be at most ${MAX_GROUP_DEPTH} levels deep.`);
      }
      const existing = await tx.thingGroups.get(ctx, input.thingGroupName);
      if (!existing && (await tx.thingGroups.countChildren(ctx, parent.name)) >= MAX_CHILD_GROUPS) {
        throw new InvalidRequestException(`Thing group ${parent.name} already has ${MAX_CHILD_GROUPS} child groups, the most allowed.`);
      }
    }
    const { group } = await insertGroup(tx, ctx, {
      name: input.thingGroupName,
      isDynamic: false,
      parent,
      properties: input.thingGroupProperties,
      tags: input.tags,
    });
    return { thingGroupName: group.name, thingGroupArn: group.arn, thingGroupId: group.groupId };
  });
}
