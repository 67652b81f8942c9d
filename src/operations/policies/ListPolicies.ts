import type { Context } from '../../context/context.js';
import type { ListPoliciesRequest, ListPoliciesResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeMarker, page } from './marker.js';

/** Policies in name order (code points); `ascendingOrder: false` reverses it. */
export async function ListPolicies(input: ListPoliciesRequest, ctx: Context): Promise<ListPoliciesResponse> {
  const ascending = input.ascendingOrder !== false;
  const limit = pageSizeOf('ListPolicies', input.pageSize);
  const { after } = decodeMarker('policies', input.marker, ascending);
  const rows = await ctx.store.repos.policies.list(ctx, { after, ascending, limit });
  const { items, nextMarker } = page(rows, limit, 'policies', (p) => p.name, ascending);
  return { policies: items.map((p) => ({ policyName: p.name, policyArn: p.arn })), nextMarker };
}
