import type { IotService } from '../generated/service.js';
import { billingGroupsOperations } from './billing-groups/index.js';
import { certificatesOperations } from './certificates/index.js';
import { CreateMitigationAction } from './mitigation-actions/CreateMitigationAction.js';
import { DeleteMitigationAction } from './mitigation-actions/DeleteMitigationAction.js';
import { DescribeMitigationAction } from './mitigation-actions/DescribeMitigationAction.js';
import { ListMitigationActions } from './mitigation-actions/ListMitigationActions.js';
import { UpdateMitigationAction } from './mitigation-actions/UpdateMitigationAction.js';
import { auditTaskOperations } from './audit-tasks/index.js';
import { findingsOperations } from './findings/index.js';
import { auditConfigOperations } from './audit-config/index.js';
import { mitigationTaskOperations } from './mitigation-tasks/index.js';
import { policiesOperations } from './policies/index.js';
import { thingsOperations } from './things/index.js';
import { securityProfilesOperations } from './security-profiles/index.js';
import { dimensionsOperations } from './dimensions/index.js';
import { customMetricsOperations } from './custom-metrics/index.js';
import { DescribeEndpoint } from './endpoints/DescribeEndpoint.js';

/**
 * The service object: every operation Warden implements, typed against the model's interface.
 * An operation missing here answers NotImplementedException from the pipeline.
 */
export const service: Partial<IotService> = {
  CreateMitigationAction,
  DescribeMitigationAction,
  ListMitigationActions,
  UpdateMitigationAction,
  DeleteMitigationAction,
  DescribeEndpoint,
  ...thingsOperations,
  ...certificatesOperations,
  ...policiesOperations,
  ...mitigationTaskOperations,
  ...findingsOperations,
  ...auditTaskOperations,
  ...auditConfigOperations,
  ...billingGroupsOperations,
  ...securityProfilesOperations,
  ...dimensionsOperations,
  ...customMetricsOperations,
};
