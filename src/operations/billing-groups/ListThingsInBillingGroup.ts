import type { Context } from '../../context/context.js';
import type { ListThingsInBillingGroupRequest, ListThingsInBillingGroupResponse } from '../../generated/shapes.js';
import { existingBillingGroup } from '../../registry/billing-groups.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from '../things/common.js';

/** Thing names in name order. */
export async function ListThingsInBillingGroup(input: ListThingsInBillingGroupRequest, ctx: Context): Promise<ListThingsInBillingGroupResponse> {
  const repos = ctx.store.repos;
  const g = await existingBillingGroup(repos, ctx, input.billingGroupName);
  const list = `things-in-billing-group/${g.name}`;
  const limit = pageSizeOf('ListThingsInBillingGroup', input.maxResults);
  const rows = await repos.billingGroups.thingNames(ctx, g.name, decodeAfter(list, input.nextToken), limit);
  const { items, nextToken } = page(rows, limit, list, (n) => n);
  return { things: items, nextToken };
}
