import type { Context } from '../../context/context.js';
import { existingCustomMetric } from '../../detect/custom-metrics.js';
import type { DescribeCustomMetricRequest, DescribeCustomMetricResponse } from '../../generated/shapes.js';
import { describeCustomMetric } from './describe.js';

export async function DescribeCustomMetric(input: DescribeCustomMetricRequest, ctx: Context): Promise<DescribeCustomMetricResponse> {
  return describeCustomMetric(await existingCustomMetric(ctx.store.repos, ctx, input.metricName));
}
