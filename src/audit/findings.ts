import { randomBytes, randomUUID } from 'node:crypto';
import type { Scope } from '../base/scope.js';
import { InvalidRequestException } from '../generated/errors.js';
import type { AuditFinding, AuditFindingSeverity, RelatedResource, ResourceIdentifier, ResourceType } from '../generated/shapes.js';
import type { FindingRecord } from '../store/findings.js';
import type { Repos, StoreTx } from '../store/store.js';

/** JSON with object keys sorted at every level, so equal identifiers are equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The AuditFinding that DescribeAuditFinding and ListAuditFindings return (and the engine acts on). */
export function findingOf(f: FindingRecord): AuditFinding {
  return {
    findingId: f.findingId,
    taskId: f.taskId,
    checkName: f.checkName,
    taskStartTime: f.taskStartTime,
    findingTime: f.findingTime,
    severity: f.severity as AuditFindingSeverity,
    nonCompliantResource: {
      resourceType: f.resourceType as ResourceType,
      resourceIdentifier: JSON.parse(f.resourceIdentifier) as ResourceIdentifier,
      additionalInfo: f.additionalInfo,
    },
    relatedResources: f.relatedResources as RelatedResource[],
    reasonForNonCompliance: f.reason,
    reasonForNonComplianceCode: f.reasonCode,
    isSuppressed: f.isSuppressed,
  };
}

/** One finding of this scope, or undefined. */
export async function readFinding(repos: Pick<Repos, 'findings'>, scope: Scope, findingId: string): Promise<AuditFinding | undefined> {
  const f = await repos.findings.get(scope, findingId);
  return f && findingOf(f);
}

/** A finding to record: everything but the task and the times, which `addFindings` sets. */
export interface NewFinding {
  findingId?: string;
  checkName: string;
  severity: AuditFindingSeverity;
  resourceType: ResourceType;
  resourceIdentifier: ResourceIdentifier;
  additionalInfo?: Record<string, string>;
  relatedResources?: RelatedResource[];
  reasonForNonCompliance?: string;
  reasonForNonComplianceCode?: string;
  isSuppressed?: boolean;
}

/** The finding to store: what it says about the resource, plus who found it, when, and whether it is suppressed. */
export function findingRecord(
  f: Pick<NewFinding, 'resourceType' | 'resourceIdentifier' | 'additionalInfo' | 'relatedResources' | 'reasonForNonCompliance' | 'reasonForNonComplianceCode'>,
  o: {
    findingId: string;
    taskId: string;
    checkName: string;
    severity: string;
    isSuppressed: boolean;
    now: Date;
    taskStart: Date;
    /** canonicalJson(f.resourceIdentifier), when the caller has it already. */
    identifier?: string;
  },
): FindingRecord {
  return {
    findingId: o.findingId,
    taskId: o.taskId,
    checkName: o.checkName,
    severity: o.severity,
    resourceType: f.resourceType,
    resourceIdentifier: o.identifier ?? canonicalJson(f.resourceIdentifier),
    additionalInfo: f.additionalInfo,
    relatedResources: f.relatedResources ?? [],
    reason: f.reasonForNonCompliance,
    reasonCode: f.reasonForNonComplianceCode,
    isSuppressed: o.isSuppressed,
    findingTime: o.now,
    taskStartTime: o.taskStart,
  };
}

/** Audit task ids look like AWS's: 32 hexadecimal characters. */
export const newAuditTaskId = (): string => randomBytes(16).toString('hex');

/**
 * Records findings under an audit task, in the caller's transaction: a new COMPLETED
 * ON_DEMAND_AUDIT_TASK (with `taskId` as its id when given), or the existing task `taskId` names,
 * whose start time the findings carry. A finding id that exists in this scope, or repeats in
 * `findings`, is an InvalidRequestException and nothing is stored.
 */
export async function addFindings(
  tx: StoreTx,
  scope: Scope,
  now: Date,
  taskId: string | undefined,
  findings: readonly NewFinding[],
): Promise<{ taskId: string; findingIds: string[] }> {
  await tx.lock(scope, 'audit-findings');
  const ids = findings.map((f) => f.findingId ?? randomUUID());
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new InvalidRequestException(`The findingId '${id}' appears more than once in findings.`);
    seen.add(id);
  }
  const clash = await tx.findings.existing(scope, ids);
  if (clash.length) throw new InvalidRequestException(`The findingId '${clash[0]}' already exists; finding ids must be unique.`);

  const id = taskId ?? newAuditTaskId();
  let taskStart = (await tx.auditTasks.get(scope, id))?.taskStartTime;
  if (!taskStart) {
    taskStart = now;
    await tx.auditTasks.insert(scope, { taskId: id, taskType: 'ON_DEMAND_AUDIT_TASK', taskStatus: 'COMPLETED', taskStartTime: now });
  }
  await tx.findings.insertMany(
    scope,
    findings.map((f, i) =>
      findingRecord(f, { findingId: ids[i], taskId: id, checkName: f.checkName, severity: f.severity, isSuppressed: !!f.isSuppressed, now, taskStart }),
    ),
  );
  return { taskId: id, findingIds: ids };
}
