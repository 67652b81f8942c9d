import type { Context } from '../../context/context.js';
import type { ListBillingGroupsRequest, ListBillingGroupsResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from '../things/common.js';

/** Groups in name order, optionally only those whose name starts with `namePrefixFilter`. */
export async function ListBillingGroups(input: ListBillingGroupsRequest, ctx: Context): Promise<ListBillingGroupsResponse> {
  const limit = pageSizeOf('ListBillingGroups', input.maxResults);
  const rows = await ctx.store.repos.billingGroups.list(ctx, {
    namePrefix: input.namePrefixFilter,
    afterName: decodeAfter('billing-groups', input.nextToken),
    limit,
  });
  const { items, nextToken } = page(rows, limit, 'billing-groups', (g) => g.name);
  return { billingGroups: items.map((g) => ({ groupName: g.name, groupArn: g.arn })), nextToken };
}
