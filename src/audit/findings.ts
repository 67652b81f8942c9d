import { randomBytes, randomUUID } from 'node:crypto';
import type { Scope } from '../base/scope.js';
import { InvalidRequestException } from '../generated/errors.js';
import type { AuditFinding, AuditFindingSeverity, RelatedResource, ResourceIdentifier, ResourceType } from '../generated/shapes.js';
import type { Driver } from '../store/driver.js';
import { FindingRepo, type FindingRow } from '../store/findings.js';
import type { StoreTx } from '../store/store.js';

/** JSON with object keys sorted at every level, so equal identifiers are equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The AuditFinding that DescribeAuditFinding and ListAuditFindings return (and the engine acts on). */
export function findingFromRow(row: FindingRow): AuditFinding {
  return {
    findingId: row.finding_id,
    taskId: row.task_id,
    checkName: row.check_name,
    taskStartTime: new Date(Number(row.task_start_time)),
    findingTime: new Date(Number(row.finding_time)),
    severity: row.severity as AuditFindingSeverity,
    nonCompliantResource: {
      resourceType: row.resource_type as ResourceType,
      resourceIdentifier: JSON.parse(row.resource_identifier) as ResourceIdentifier,
      additionalInfo: row.additional_info === null ? undefined : (JSON.parse(row.additional_info) as Record<string, string>),
    },
    relatedResources: JSON.parse(row.related_resources) as RelatedResource[],
    reasonForNonCompliance: row.reason ?? undefined,
    reasonForNonComplianceCode: row.reason_code ?? undefined,
    isSuppressed: Number(row.is_suppressed) === 1,
  };
}

/** One finding of this scope, or undefined. */
export async function readFinding(db: Driver, scope: Scope, findingId: string): Promise<AuditFinding | undefined> {
  const row = await new FindingRepo(db).get(scope, findingId);
  return row && findingFromRow(row);
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

/** The finding's row: what it says about the resource, plus who found it, when, and whether it is suppressed. */
export function findingRow(
  f: Pick<NewFinding, 'resourceType' | 'resourceIdentifier' | 'additionalInfo' | 'relatedResources' | 'reasonForNonCompliance' | 'reasonForNonComplianceCode'>,
  o: {
    findingId: string;
    taskId: string;
    checkName: string;
    severity: string;
    isSuppressed: boolean;
    now: Date;
    taskStart: number;
    /** canonicalJson(f.resourceIdentifier), when the caller has it already. */
    identifier?: string;
  },
): FindingRow {
  return {
    finding_id: o.findingId,
    task_id: o.taskId,
    check_name: o.checkName,
    severity: o.severity,
    resource_type: f.resourceType,
    resource_identifier: o.identifier ?? canonicalJson(f.resourceIdentifier),
    additional_info: f.additionalInfo ? JSON.stringify(f.additionalInfo) : null,
    related_resources: JSON.stringify(f.relatedResources ?? []),
    reason: f.reasonForNonCompliance ?? null,
    reason_code: f.reasonForNonComplianceCode ?? null,
    is_suppressed: o.isSuppressed ? 1 : 0,
    finding_time: o.now.getTime(),
    task_start_time: o.taskStart,
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
  let task = await tx.findings.getTask(scope, id);
  if (!task) {
    task = { task_id: id, task_type: 'ON_DEMAND_AUDIT_TASK', task_status: 'COMPLETED', task_start_time: now.getTime(), scheduled_audit_name: null };
    await tx.findings.insertTask(scope, task);
  }
  const taskStart = Number(task.task_start_time);
  await tx.findings.insertMany(
    scope,
    findings.map((f, i) =>
      findingRow(f, { findingId: ids[i], taskId: id, checkName: f.checkName, severity: f.severity, isSuppressed: !!f.isSuppressed, now, taskStart }),
    ),
  );
  return { taskId: id, findingIds: ids };
}
