import type { Context } from '../../context/context.js';
import type { ListDimensionsRequest, ListDimensionsResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from '../things/common.js';

/** Dimension names in name order. */
export async function ListDimensions(input: ListDimensionsRequest, ctx: Context): Promise<ListDimensionsResponse> {
  const limit = pageSizeOf('ListDimensions', input.maxResults);
  const rows = await ctx.store.repos.dimensions.names(ctx, decodeAfter('dimensions', input.nextToken), limit);
  const { items, nextToken } = page(rows, limit, 'dimensions', (n) => n);
  return { dimensionNames: items, nextToken };
}
