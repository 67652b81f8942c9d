/**
 * AWS IoT Device Defender's API rate quotas (transactions per second, per account and region;
 * SEMANTICS.md 4.1, from the Device Defender quotas page). Warden enforces them only when started
 * with --throttle (SEMANTICS.md D21), so users can test their retry logic against them.
 */
const TEN = 10;
const TWENTY_FIVE = 25;
const FIVE = 5;

export const API_QUOTAS: Readonly<Record<string, number>> = {
  CreateMitigationAction: TEN,
  DescribeMitigationAction: TWENTY_FIVE,
  UpdateMitigationAction: TEN,
  DeleteMitigationAction: TEN,
  ListMitigationActions: TEN,
  StartAuditMitigationActionsTask: TEN,
  DescribeAuditMitigationActionsTask: TWENTY_FIVE,
  CancelAuditMitigationActionsTask: TEN,
  ListAuditMitigationActionsTasks: TEN,
  ListAuditMitigationActionsExecutions: TEN,
  StartDetectMitigationActionsTask: TEN,
  DescribeDetectMitigationActionsTask: TEN,
  CancelDetectMitigationActionsTask: TEN,
  ListDetectMitigationActionsTasks: TEN,
  ListDetectMitigationActionsExecutions: TEN,
  ListAuditFindings: TEN,
  DescribeAuditFinding: TWENTY_FIVE,
  StartOnDemandAuditTask: TEN,
  DescribeAuditTask: TWENTY_FIVE,
  ListActiveViolations: TEN,
  ListViolationEvents: TEN,
  PutVerificationStateOnViolation: TEN,
  // "the audit configuration and scheduled-audit APIs 5"
  DescribeAccountAuditConfiguration: FIVE,
  UpdateAccountAuditConfiguration: FIVE,
  DeleteAccountAuditConfiguration: FIVE,
  CreateScheduledAudit: FIVE,
  DescribeScheduledAudit: FIVE,
  ListScheduledAudits: FIVE,
  UpdateScheduledAudit: FIVE,
  DeleteScheduledAudit: FIVE,
};
