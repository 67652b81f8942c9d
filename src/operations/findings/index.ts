import type { IotService } from '../../generated/service.js';
import { DescribeAuditFinding } from './DescribeAuditFinding.js';
import { ListActiveViolations } from '../violations/ListActiveViolations.js';
import { ListAuditFindings } from './ListAuditFindings.js';
import { ListViolationEvents } from '../violations/ListViolationEvents.js';
import { PutVerificationStateOnViolation } from '../violations/PutVerificationStateOnViolation.js';

/** Audit findings and detect violations: AWS's read operations over the recorded findings and violations. */
export const findingsOperations: Partial<IotService> = {
  DescribeAuditFinding,
  ListAuditFindings,
  ListActiveViolations,
  ListViolationEvents,
  PutVerificationStateOnViolation,
};
