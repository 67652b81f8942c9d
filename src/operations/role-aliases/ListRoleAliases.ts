import type { Context } from '../../context/context.js';
import type { ListRoleAliasesRequest, ListRoleAliasesResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeMarker, page } from '../policies/marker.js';

/** Alias names in code-point order; `ascendingOrder: false` reverses it. */
export async function ListRoleAliases(input: ListRoleAliasesRequest, ctx: Context): Promise<ListRoleAliasesResponse> {
  const ascending = input.ascendingOrder !== false;
  const limit = pageSizeOf('ListRoleAliases', input.pageSize);
  const { after } = decodeMarker('role-aliases', input.marker, ascending);
  const rows = await ctx.store.repos.roleAliases.list(ctx, { after, ascending, limit });
  const { items, nextMarker } = page(rows, limit, 'role-aliases', (a) => a, ascending);
  return { roleAliases: items, nextMarker };
}
