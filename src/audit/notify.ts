import type { Scope } from '../base/scope.js';
import { snsMessageId } from '../actions/publish-finding-to-sns.js';
import type { StoreTx } from '../store/store.js';
import type { AuditConfiguration } from './configuration.js';
import { auditDetailsOf, taskStatisticsOf } from './details.js';

/** The outbox action name that marks an audit notification (no mitigation execution waits on it). */
const AUDIT_NOTIFICATION = 'AUDIT_NOTIFICATION';

/**
 * Writes the audit notification (SEMANTICS.md section 6, schema auditnotification/1.0 with the
 * current check names and a suppressed count per check) to the outbox, in the transaction that
 * ends the task, when the account's audit configuration has an enabled SNS target. Delivery is
 * the same at-least-once outbox PUBLISH_FINDING_TO_SNS uses; the message id is stable per task.
 * Answers whether a message was written.
 */
export async function notifyAuditEnd(tx: StoreTx, scope: Scope, taskId: string, config: AuditConfiguration, delivery: boolean, now: Date): Promise<boolean> {
  const target = config.notification;
  if (!target?.enabled || !target.targetArn) return false;
  const task = await tx.auditTasks.get(scope, taskId);
  if (!task || task.notified) return false;
  const details = auditDetailsOf(await tx.auditTasks.checks(scope, taskId));
  const stats = taskStatisticsOf(details);
  const message = {
    accountId: scope.accountId,
    taskId,
    taskStatus: task.taskStatus,
    taskType: task.taskType,
    ...(task.scheduledAuditName ? { scheduledAuditName: task.scheduledAuditName } : {}),
    failedChecksCount: stats.failedChecks,
    canceledChecksCount: stats.canceledChecks,
    nonCompliantChecksCount: stats.nonCompliantChecks,
    compliantChecksCount: stats.compliantChecks,
    totalChecksCount: stats.totalChecks,
    taskStartTime: task.taskStartTime.getTime(),
    auditDetails: Object.entries(details).map(([checkName, d]) => ({
      checkName,
      checkRunStatus: d.checkRunStatus,
      nonCompliantResourcesCount: d.nonCompliantResourcesCount ?? 0,
      totalResourcesCount: d.totalResourcesCount ?? 0,
      suppressedNonCompliantResourcesCount: d.suppressedNonCompliantResourcesCount ?? 0,
      ...(d.message ? { message: d.message } : {}),
      ...(d.errorCode ? { errorCode: d.errorCode } : {}),
    })),
  };
  const key = { accountId: scope.accountId, region: scope.region, kind: 'audit' as const, taskId, targetId: '', actionName: AUDIT_NOTIFICATION };
  await tx.outbox.insert({
    messageId: snsMessageId(key),
    key,
    topicArn: target.targetArn,
    message: JSON.stringify(message),
    state: delivery ? 'PENDING' : 'STORED',
    createdAt: now,
  });
  await tx.auditTasks.markNotified(scope, taskId);
  return true;
}
