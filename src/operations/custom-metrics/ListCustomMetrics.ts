import type { Context } from '../../context/context.js';
import type { ListCustomMetricsRequest, ListCustomMetricsResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from '../things/common.js';

/** Custom metric names in name order, 25 a page unless maxResults says otherwise ("The default is 25"). */
export async function ListCustomMetrics(input: ListCustomMetricsRequest, ctx: Context): Promise<ListCustomMetricsResponse> {
  const limit = pageSizeOf('ListCustomMetrics', input.maxResults);
  const rows = await ctx.store.repos.customMetrics.names(ctx, decodeAfter('custom-metrics', input.nextToken), limit);
  const { items, nextToken } = page(rows, limit, 'custom-metrics', (n) => n);
  return { metricNames: items, nextToken };
}
