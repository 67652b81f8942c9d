import type { Context } from '../../api/context.js';
import type { ListPoliciesRequest, ListPoliciesResponse } from '../../generated/shapes.js';
import { DEFAULT_PAGE_SIZE, decodeMarker, page } from './marker.js';

/** Policies in name order (code points); `ascendingOrder: false` reverses it. */
export async function ListPolicies(input: ListPoliciesRequest, ctx: Context): Promise<ListPoliciesResponse> {
  const ascending = input.ascendingOrder !== false;
  const limit = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const { after } = decodeMarker('policies', input.marker, ascending);
  const rows = await ctx.store.repos.policies.list(ctx, { after, ascending, limit });
  const { items, nextMarker } = page(rows, limit, 'policies', (p) => p.name, ascending);
  return { policies: items.map((p) => ({ policyName: p.name, policyArn: p.arn })), nextMarker };
}
