import type { IotService } from '../../generated/service.js';
import { CreateAuditSuppression } from './CreateAuditSuppression.js';
import { CreateScheduledAudit } from './CreateScheduledAudit.js';
import { DeleteAccountAuditConfiguration } from './DeleteAccountAuditConfiguration.js';
import { DeleteAuditSuppression } from './DeleteAuditSuppression.js';
import { DeleteScheduledAudit } from './DeleteScheduledAudit.js';
import { DescribeAccountAuditConfiguration } from './DescribeAccountAuditConfiguration.js';
import { DescribeAuditSuppression } from './DescribeAuditSuppression.js';
import { DescribeScheduledAudit } from './DescribeScheduledAudit.js';
import { ListAuditSuppressions } from './ListAuditSuppressions.js';
import { ListRelatedResourcesForAuditFinding } from './ListRelatedResourcesForAuditFinding.js';
import { ListScheduledAudits } from './ListScheduledAudits.js';
import { UpdateAccountAuditConfiguration } from './UpdateAccountAuditConfiguration.js';
import { UpdateAuditSuppression } from './UpdateAuditSuppression.js';
import { UpdateScheduledAudit } from './UpdateScheduledAudit.js';

/** The audit set-up around audit tasks: account audit configuration, suppressions, scheduled audits, related resources. */
export const auditConfigOperations: Partial<IotService> = {
  DescribeAccountAuditConfiguration,
  UpdateAccountAuditConfiguration,
  DeleteAccountAuditConfiguration,
  CreateAuditSuppression,
  DescribeAuditSuppression,
  ListAuditSuppressions,
  UpdateAuditSuppression,
  DeleteAuditSuppression,
  CreateScheduledAudit,
  DescribeScheduledAudit,
  ListScheduledAudits,
  UpdateScheduledAudit,
  DeleteScheduledAudit,
  ListRelatedResourcesForAuditFinding,
};
