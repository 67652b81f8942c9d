import type { Context } from '../../context/context.js';
import { createCustomMetric } from '../../detect/custom-metrics.js';
import type { CreateCustomMetricRequest, CreateCustomMetricResponse } from '../../generated/shapes.js';

/** A retry with the same clientRequestToken and contents answers the existing metric; other repeats of the name conflict. */
export async function CreateCustomMetric(input: CreateCustomMetricRequest, ctx: Context): Promise<CreateCustomMetricResponse> {
  const m = await ctx.store.transaction((tx) => createCustomMetric(tx, ctx, input));
  ctx.detect?.profilesChanged(ctx);
  return { metricName: m.name, metricArn: m.arn };
}
