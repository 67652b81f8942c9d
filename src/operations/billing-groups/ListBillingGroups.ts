import type { Context } from '../../api/context.js';
import type { ListBillingGroupsRequest, ListBillingGroupsResponse } from '../../generated/shapes.js';
import { DEFAULT_PAGE, decodeAfter, page } from '../things/common.js';

/** Groups in name order, optionally only those whose name starts with `namePrefixFilter`. */
export async function ListBillingGroups(input: ListBillingGroupsRequest, ctx: Context): Promise<ListBillingGroupsResponse> {
  const limit = input.maxResults ?? DEFAULT_PAGE;
  const rows = await ctx.store.repos.billingGroups.list(ctx, {
    namePrefix: input.namePrefixFilter,
    afterName: decodeAfter('billing-groups', input.nextToken),
    limit,
  });
  const { items, nextToken } = page(rows, limit, 'billing-groups', (g) => g.name);
  return { billingGroups: items.map((g) => ({ groupName: g.name, groupArn: g.arn })), nextToken };
}
