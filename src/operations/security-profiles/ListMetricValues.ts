import type { Context } from '../../context/context.js';
import { existingCustomMetric } from '../../detect/custom-metrics.js';
import { existingDimension } from '../../detect/dimensions.js';
import { AWS_METRICS } from '../../detect/metrics.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { ListMetricValuesRequest, ListMetricValuesResponse, MetricValue } from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';

/**
 * The datapoints Detect kept of one thing's metric in [startTime, endTime), oldest first: those of
 * the metrics its security profiles retain (additionalMetricsToRetainV2 and behaviors without
 * criteria, src/detect/retained.ts), under every profile that covered the thing when the datapoint
 * came, one per time. With `dimensionName` (operator IN unless `dimensionValueOperator` says
 * NOT_IN), the values kept under that dimension; without, those of the metric without one. An
 * `aws:` name that is not a Detect metric, or a dimension on a metric that takes none, is
 * InvalidRequestException; a custom metric or dimension that does not exist, ResourceNotFoundException.
 */
export async function ListMetricValues(input: ListMetricValuesRequest, ctx: Context): Promise<ListMetricValuesResponse> {
  const { thingName, metricName, dimensionName } = input;
  if (input.endTime.getTime() <= input.startTime.getTime()) throw new InvalidRequestException('endTime must be after startTime.');
  if (input.dimensionValueOperator !== undefined && dimensionName === undefined) {
    throw new InvalidRequestException('dimensionValueOperator is given without dimensionName.');
  }
  const repos = ctx.store.repos;
  const spec = AWS_METRICS.get(metricName);
  if (!spec) {
    if (metricName.startsWith('aws:')) throw new InvalidRequestException(`metricName ${metricName} is not a Device Defender metric.`);
    await existingCustomMetric(repos, ctx, metricName);
  }
  if (dimensionName !== undefined) {
    if (!spec?.topicDimension) {
      throw new InvalidRequestException(`dimensionName cannot be used with ${metricName}; a dimension scopes only the message metrics (${TOPIC_METRICS.join(', ')}).`);
    }
    await existingDimension(repos, ctx, dimensionName);
  }
  const dimensionOperator = dimensionName === undefined ? undefined : (input.dimensionValueOperator ?? 'IN');
  const list = `metric-values/${thingName}/${metricName}/${dimensionName ?? ''}/${dimensionOperator ?? ''}`;
  const position = decodeToken<{ t?: unknown }>(list, input.nextToken);
  if (position && typeof position.t !== 'number') {
    throw new InvalidRequestException(`The nextToken '${input.nextToken!.slice(0, 64)}' is not valid for this list; pass the token of the previous response unchanged.`);
  }
  const limit = pageSizeOf('ListMetricValues', input.maxResults);
  const rows = await repos.detectRetained.list(ctx, {
    thingName,
    metric: metricName,
    dimensionName,
    dimensionOperator,
    from: input.startTime.getTime(),
    to: input.endTime.getTime(),
    limit: limit + 1,
    after: position?.t as number | undefined,
  });
  const page = rows.slice(0, limit);
  return {
    metricDatumList: page.map((r) => ({ timestamp: new Date(r.at), value: r.value as MetricValue })),
    nextToken: rows.length > limit ? encodeToken(list, { t: page[page.length - 1].at }) : undefined,
  };
}

const TOPIC_METRICS = [...AWS_METRICS.values()].filter((m) => m.topicDimension).map((m) => m.name);
