import type { Context } from '../../context/context.js';
import type { DescribeThingGroupRequest, DescribeThingGroupResponse } from '../../generated/shapes.js';
import { describeGroup } from './common.js';
import { existingGroup } from './thing-groups.js';

export async function DescribeThingGroup(input: DescribeThingGroupRequest, ctx: Context): Promise<DescribeThingGroupResponse> {
  return describeGroup(ctx, await existingGroup(ctx.store.repos, ctx, input.thingGroupName));
}
