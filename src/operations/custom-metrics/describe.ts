import type { CustomMetricType, DescribeCustomMetricResponse } from '../../generated/shapes.js';
import type { CustomMetricRecord } from '../../store/custom-metrics.js';

/** DescribeCustomMetric's and UpdateCustomMetric's answer. */
export const describeCustomMetric = (m: CustomMetricRecord): DescribeCustomMetricResponse => ({
  metricName: m.name,
  metricArn: m.arn,
  metricType: m.metricType as CustomMetricType,
  displayName: m.displayName,
  creationDate: m.createdAt,
  lastModifiedDate: m.lastModifiedAt,
});
