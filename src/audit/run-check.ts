import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Scope } from '../base/scope.js';
import type { AuditTaskRecord } from '../store/audit-tasks.js';
import type { FindingRecord } from '../store/findings.js';
import type { StoreTx } from '../store/store.js';
import type { AuditCheck, CheckContext, CheckResult } from './check.js';
import { canonicalJson, findingRecord } from './findings.js';
import { suppressionKey } from './suppressions.js';

/** Runs one check; a check Warden lacks, or one that throws, is a FAILED result rather than a stuck task. */
export async function evaluateCheck(check: AuditCheck | undefined, ctx: CheckContext, name: string, log: Logger): Promise<CheckResult> {
  if (!check) {
    return { status: 'failed', errorCode: 'CHECK_NOT_SUPPORTED', message: `Warden does not evaluate ${name}.` };
  }
  try {
    return await check.run(ctx);
  } catch (e) {
    log.error({ err: e, check: name }, 'audit check threw');
    return { status: 'failed', errorCode: 'INTERNAL_ERROR', message: `${name} could not be evaluated: ${(e as Error).message}` };
  }
}

/**
 * Records one check's result in the caller's transaction: its findings (suppressed ones marked,
 * per the suppressions active at the audit's start) and its auditDetails row. Answers false,
 * writing nothing, when the task is no longer IN_PROGRESS under this node's lease or the check
 * was recorded already.
 */
export async function recordCheck(
  tx: StoreTx,
  scope: Scope,
  task: AuditTaskRecord,
  checkName: string,
  severity: string,
  result: CheckResult,
  /** The suppressions active at the audit's start (activeSuppressions), read once per audit. */
  suppressions: ReadonlySet<string>,
  owner: string,
  now: Date,
): Promise<boolean> {
  const current = await tx.auditTasks.get(scope, task.taskId);
  if (!current || current.taskStatus !== 'IN_PROGRESS' || current.leaseOwner !== owner) return false;
  const start = task.taskStartTime;
  if (result.status === 'failed') {
    const n = await tx.auditTasks.finishCheck(scope, task.taskId, { checkName, checkRunStatus: 'FAILED', errorCode: result.errorCode, message: result.message });
    return n > 0;
  }
  // Counts are of resources: a check may report one resource for several reasons.
  const resources = new Set<string>();
  const suppressedResources = new Set<string>();
  const findings: FindingRecord[] = result.findings.map((f) => {
    const identifier = canonicalJson(f.resourceIdentifier);
    const isSuppressed = suppressions.has(suppressionKey(checkName, identifier));
    resources.add(identifier);
    if (isSuppressed) suppressedResources.add(identifier);
    return findingRecord(f, { findingId: randomUUID(), taskId: task.taskId, checkName, severity, isSuppressed, now, taskStart: start, identifier });
  });
  const n = await tx.auditTasks.finishCheck(scope, task.taskId, {
    checkName,
    checkRunStatus: resources.size > suppressedResources.size ? 'COMPLETED_NON_COMPLIANT' : 'COMPLETED_COMPLIANT',
    totalResources: result.totalResourcesCount,
    nonCompliant: resources.size,
    suppressed: suppressedResources.size,
    errorCode: result.errorCode,
    message: result.message,
  });
  if (n === 0) return false;
  await tx.findings.insertMany(scope, findings);
  return true;
}

