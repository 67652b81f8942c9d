import type { AuditTaskRepo } from './audit-tasks.js';
import type { ConnectionEventRepo } from './connection-events.js';
import type { ViolationRepo } from './violations.js';

/** The repos a retention pass purges through (the store's own, outside any transaction). */
export interface RetentionRepos {
  readonly auditTasks: Pick<AuditTaskRepo, 'purge'>;
  readonly violations: Pick<ViolationRepo, 'purge'>;
  readonly connectionEvents: Pick<ConnectionEventRepo, 'purge'>;
}

const DAY = 24 * 60 * 60 * 1000;

/** SEMANTICS.md D19: audit findings (and their audit tasks) are kept 90 days, violations 30. */
export const FINDING_RETENTION_MS = 90 * DAY;
const VIOLATION_RETENTION_MS = 30 * DAY;
/** Connection events feed checks that look back 31 days (on-demand audits); a day more for the 2-hour lag and clock skew. */
const CONNECTION_EVENT_RETENTION_MS = 32 * DAY;

/**
 * Purges, over every account and region: audit tasks that started more than 90 days before `now`
 * with all their findings; violations that ended more than 30 days before `now`, and violation
 * events older than that (a violation still in alarm stays); connection events that ended more
 * than 32 days before `now`. Works in short chunks, each its own
 * statement, so it can run beside the API; pass the store's own repos, not a transaction's.
 */
export async function purgeExpired(r: RetentionRepos, now: Date): Promise<{ findings: number; violationRows: number; connectionEvents: number }> {
  const findings = await r.auditTasks.purge(new Date(now.getTime() - FINDING_RETENTION_MS));
  const violationRows = await r.violations.purge(now.getTime() - VIOLATION_RETENTION_MS);
  const connectionEvents = await r.connectionEvents.purge(now.getTime() - CONNECTION_EVENT_RETENTION_MS);
  return { findings, violationRows, connectionEvents };
}
