import type { IotService } from '../../generated/service.js';
import { CreateCustomMetric } from './CreateCustomMetric.js';
import { DeleteCustomMetric } from './DeleteCustomMetric.js';
import { DescribeCustomMetric } from './DescribeCustomMetric.js';
import { ListCustomMetrics } from './ListCustomMetrics.js';
import { UpdateCustomMetric } from './UpdateCustomMetric.js';

/** The custom metrics family: metrics of the account's own that devices report and behaviors name. */
export const customMetricsOperations: Partial<IotService> = {
  CreateCustomMetric,
  DescribeCustomMetric,
  ListCustomMetrics,
  UpdateCustomMetric,
  DeleteCustomMetric,
};
