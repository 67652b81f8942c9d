import type { Context } from '../../context/context.js';
import { LimitExceededException } from '../../generated/errors.js';
import type { CreateDynamicThingGroupRequest, CreateDynamicThingGroupResponse } from '../../generated/shapes.js';
import { rebuildDynamicGroup } from '../../registry/things.js';
import { checkIndexAndQuery, DEFAULT_QUERY_VERSION, THINGS_INDEX } from './dynamic-groups.js';
import { insertGroup, MAX_DYNAMIC_GROUPS } from './thing-groups.js';

/** Membership is built in the same transaction, so the group is ACTIVE when the call returns. */
export async function CreateDynamicThingGroup(input: CreateDynamicThingGroupRequest, ctx: Context): Promise<CreateDynamicThingGroupResponse> {
  checkIndexAndQuery(input.indexName, input.queryString);
  return ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'dynamic-thing-groups');
    const existing = await tx.thingGroups.get(ctx, input.thingGroupName);
    if (!existing && (await tx.thingGroups.countDynamic(ctx)) >= MAX_DYNAMIC_GROUPS) {
      throw new LimitExceededException(`This account already has ${MAX_DYNAMIC_GROUPS} dynamic thing groups in ${ctx.region}, the most allowed.`);
    }
    const { group, created } = await insertGroup(tx, ctx, {
      name: input.thingGroupName,
      isDynamic: true,
      properties: input.thingGroupProperties,
      tags: input.tags,
      queryString: input.queryString,
      queryVersion: input.queryVersion ?? DEFAULT_QUERY_VERSION,
      indexName: THINGS_INDEX,
      status: 'ACTIVE',
    });
    if (created) await rebuildDynamicGroup(tx, ctx, group.name, input.queryString);
    return {
      thingGroupName: group.name,
      thingGroupArn: group.arn,
      thingGroupId: group.groupId,
      indexName: group.indexName,
      queryString: group.queryString,
      queryVersion: group.queryVersion,
    };
  });
}
