import type { IotService } from '../../generated/service.js';
import { CancelAuditMitigationActionsTask } from './CancelAuditMitigationActionsTask.js';
import { CancelDetectMitigationActionsTask } from './CancelDetectMitigationActionsTask.js';
import { DescribeAuditMitigationActionsTask } from './DescribeAuditMitigationActionsTask.js';
import { DescribeDetectMitigationActionsTask } from './DescribeDetectMitigationActionsTask.js';
import { ListAuditMitigationActionsExecutions } from './ListAuditMitigationActionsExecutions.js';
import { ListAuditMitigationActionsTasks } from './ListAuditMitigationActionsTasks.js';
import { ListDetectMitigationActionsExecutions } from './ListDetectMitigationActionsExecutions.js';
import { ListDetectMitigationActionsTasks } from './ListDetectMitigationActionsTasks.js';
import { StartAuditMitigationActionsTask } from './StartAuditMitigationActionsTask.js';
import { StartDetectMitigationActionsTask } from './StartDetectMitigationActionsTask.js';

/** Audit and detect mitigation actions tasks. */
export const mitigationTaskOperations: Partial<IotService> = {
  StartAuditMitigationActionsTask,
  DescribeAuditMitigationActionsTask,
  ListAuditMitigationActionsTasks,
  CancelAuditMitigationActionsTask,
  ListAuditMitigationActionsExecutions,
  StartDetectMitigationActionsTask,
  DescribeDetectMitigationActionsTask,
  ListDetectMitigationActionsTasks,
  CancelDetectMitigationActionsTask,
  ListDetectMitigationActionsExecutions,
};
