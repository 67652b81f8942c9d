import type { Context } from '../../context/context.js';
import { updateCustomMetric } from '../../detect/custom-metrics.js';
import type { UpdateCustomMetricRequest, UpdateCustomMetricResponse } from '../../generated/shapes.js';
import { describeCustomMetric } from './describe.js';

/** Only the display name can change. */
export async function UpdateCustomMetric(input: UpdateCustomMetricRequest, ctx: Context): Promise<UpdateCustomMetricResponse> {
  return describeCustomMetric(await ctx.store.transaction((tx) => updateCustomMetric(tx, ctx, input.metricName, input.displayName)));
}
