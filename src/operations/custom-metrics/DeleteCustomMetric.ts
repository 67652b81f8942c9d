import type { Context } from '../../context/context.js';
import { deleteCustomMetric } from '../../detect/custom-metrics.js';
import type { DeleteCustomMetricRequest, DeleteCustomMetricResponse } from '../../generated/shapes.js';

/** A missing metric succeeds; one that a security profile uses is InvalidRequestException. */
export async function DeleteCustomMetric(input: DeleteCustomMetricRequest, ctx: Context): Promise<DeleteCustomMetricResponse> {
  await ctx.store.transaction((tx) => deleteCustomMetric(tx, ctx, input.metricName));
  ctx.detect?.profilesChanged(ctx);
  return {};
}
