import type { IotService } from '../../generated/service.js';
import { CancelAuditTask } from './CancelAuditTask.js';
import { DescribeAuditTask } from './DescribeAuditTask.js';
import { ListAuditTasks } from './ListAuditTasks.js';
import { StartOnDemandAuditTask } from './StartOnDemandAuditTask.js';

/** Audit tasks: on-demand starts, and describing, listing and canceling any audit task. */
export const auditTaskOperations: Partial<IotService> = {
  StartOnDemandAuditTask,
  DescribeAuditTask,
  ListAuditTasks,
  CancelAuditTask,
};
