import type { Scope } from '../base/scope.js';
import type { AuditFindingSeverity, RelatedResource, ResourceIdentifier, ResourceType } from '../generated/shapes.js';
import type { Repos } from '../store/store.js';

/**
 * The contract between the audit runner and one audit check (src/audit/checks/<name>.ts).
 * A check reads the account's registry (and the audit inputs: CRLs, IAM roles, connection
 * events) through the repos, writes nothing but the CRLs it fetches, and answers what it found.
 * The runner stores the findings with the task, marks the suppressed ones, and fills the check's
 * auditDetails.
 */
export interface CheckContext {
  /** Read-only use (but for a fetched CRL): the runner owns every write. */
  readonly repos: Repos;
  readonly scope: Scope;
  /** The audit task this evaluation belongs to (checks of one audit may share work keyed by it). */
  readonly taskId: string;
  /** The audit's start time: "now" for every date comparison the check makes. */
  readonly now: Date;
  /** The check's `configuration` from the account audit configuration (e.g. CERT_AGE_THRESHOLD_IN_DAYS), {} when none. */
  readonly configuration: Readonly<Record<string, string>>;
  readonly taskType: 'ON_DEMAND_AUDIT_TASK' | 'SCHEDULED_AUDIT_TASK';
  /**
   * Start of the window that event-based checks (connection events) look at, epoch ms. On-demand
   * audits: 31 days before `now`; scheduled: the previous run (see the scheduler).
   */
  readonly windowStart: number;
  /** Cancellation: checks that loop long should stop when this aborts. */
  readonly signal: AbortSignal;
}

/** One non-compliant resource. The runner adds task id, check name, severity, times and suppression. */
export interface CheckFinding {
  resourceType: ResourceType;
  resourceIdentifier: ResourceIdentifier;
  additionalInfo?: Record<string, string>;
  relatedResources?: RelatedResource[];
  reasonForNonCompliance: string;
  reasonForNonComplianceCode: string;
}

/** One reason a resource is non-compliant: a finding's reasonForNonComplianceCode and its text. */
export interface CheckReason {
  code: string;
  text: string;
}

export type CheckResult =
  | {
      status: 'evaluated';
      /** Resources the check looked at (auditDetails.totalResourcesCount). */
      totalResourcesCount: number;
      findings: CheckFinding[];
      /** Optional note for auditDetails (e.g. resources that could not be checked), and its code. */
      message?: string;
      errorCode?: string;
    }
  | {
      /** The check could not run at all (checkRunStatus FAILED). */
      status: 'failed';
      errorCode: string;
      message: string;
    };

export interface AuditCheck {
  /** API name, e.g. DEVICE_CERTIFICATE_EXPIRING_CHECK. */
  readonly name: string;
  readonly severity: AuditFindingSeverity;
  run(ctx: CheckContext): Promise<CheckResult>;
}

export const DAY_MS = 24 * 3600_000;

/**
 * Lets the event loop serve requests between two pages of a check: SQLite calls are synchronous,
 * so without it an audit would hold every API request until it ends.
 */
export const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Items by key, each group in the items' order; groups in the order their keys first appear. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
