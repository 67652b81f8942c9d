import type { Selectable } from 'kysely';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { AuditFindingsTable } from './schema.generated.js';
import { after, all, inChunks, insertRows, prepared, qb, run, selectIn } from './sql.js';

/** One audit finding as stored with its task. */
export interface FindingRecord {
  findingId: string;
  taskId: string;
  checkName: string;
  severity: string;
  resourceType: string;
  /** Canonical JSON (keys sorted) of the ResourceIdentifier: the key that filters and suppressions match. */
  resourceIdentifier: string;
  additionalInfo?: Record<string, string>;
  /** The finding's RelatedResource list. */
  relatedResources: unknown[];
  reason?: string;
  reasonCode?: string;
  isSuppressed: boolean;
  findingTime: Date;
  taskStartTime: Date;
}

/** How many findings of one audit task have a check, reason code ('' for none) and suppression. */
export interface FindingCount {
  checkName: string;
  reasonCode: string;
  isSuppressed: boolean;
  n: number;
}

const FINDING_COLUMNS = [
  'finding_id', 'task_id', 'check_name', 'severity', 'resource_type', 'resource_identifier', 'additional_info',
  'related_resources', 'reason', 'reason_code', 'is_suppressed', 'finding_time', 'task_start_time',
] as const;
type Row = Pick<Selectable<AuditFindingsTable>, (typeof FINDING_COLUMNS)[number]>;

const fromRow = (r: Row): FindingRecord => ({
  findingId: r.finding_id,
  taskId: r.task_id,
  checkName: r.check_name,
  severity: r.severity,
  resourceType: r.resource_type,
  resourceIdentifier: r.resource_identifier,
  additionalInfo: r.additional_info === null ? undefined : (JSON.parse(r.additional_info) as Record<string, string>),
  relatedResources: JSON.parse(r.related_resources) as unknown[],
  reason: r.reason ?? undefined,
  reasonCode: r.reason_code ?? undefined,
  isSuppressed: Number(r.is_suppressed) === 1,
  findingTime: new Date(Number(r.finding_time)),
  taskStartTime: new Date(Number(r.task_start_time)),
});

/**
 * What ListAuditFindings asks for. With a taskId the findings come in (check name, finding id)
 * order (the index the engine plans by); otherwise newest first in the [start, end] window.
 */
export interface FindingFilter {
  taskId?: string;
  checkName?: string;
  resourceIdentifier?: string;
  window?: { start: Date; end: Date };
  /** true: only suppressed findings; false: only unsuppressed ones; undefined: both. */
  suppressed?: boolean;
}

export type FindingPosition = { c: string; f: string } | { t: number; f: string };

/** Rows of one purge statement; each is its own short transaction, so the API never waits long. */
const PURGE_CHUNK = 2000;

const byId = prepared((q, accountId: string, region: string, findingId: string) =>
  q.selectFrom('audit_findings').select(FINDING_COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('finding_id', '=', findingId),
);

const countsOfTask = prepared((q, accountId: string, region: string, taskId: string) =>
  q
    .selectFrom('audit_finding_counts')
    .select(['check_name', 'reason_code', 'is_suppressed', 'n'])
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('task_id', '=', taskId),
);

const addCount = prepared((q, accountId: string, region: string, taskId: string, checkName: string, reasonCode: string, suppressed: number, n: number) =>
  q
    .insertInto('audit_finding_counts')
    .values({ account_id: accountId, region, task_id: taskId, check_name: checkName, reason_code: reasonCode, is_suppressed: suppressed, n })
    .onConflict((oc) =>
      oc.columns(['account_id', 'region', 'task_id', 'check_name', 'reason_code', 'is_suppressed']).doUpdateSet((eb) => ({ n: eb('audit_finding_counts.n', '+', eb.ref('excluded.n')) })),
    ),
);

const idsOfTask = prepared((q, accountId: string, region: string, taskId: string, limit: number) =>
  q.selectFrom('audit_findings').select('finding_id').where('account_id', '=', accountId).where('region', '=', region).where('task_id', '=', taskId).limit(limit),
);

/** Audit findings and their per-task counts (audit_finding_counts); the tasks are AuditTaskRepo's. */
export class FindingRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, findingId: string): Promise<FindingRecord | undefined> {
    const row = await byId(this.db, scope.accountId, scope.region, findingId).first();
    return row && fromRow(row);
  }

  /** The findings of `ids` that exist in this scope, in no particular order. */
  async byIds(scope: Scope, ids: readonly string[]): Promise<FindingRecord[]> {
    const rows = await selectIn(this.db, ids, (chunk) =>
      qb(this.db).selectFrom('audit_findings').select(FINDING_COLUMNS).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('finding_id', 'in', chunk),
    );
    return rows.map(fromRow);
  }

  /** Which of `ids` already exist in this scope. */
  async existing(scope: Scope, ids: readonly string[]): Promise<string[]> {
    const rows = await selectIn(this.db, ids, (chunk) =>
      qb(this.db).selectFrom('audit_findings').select('finding_id').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('finding_id', 'in', chunk),
    );
    return rows.map((r) => r.finding_id);
  }

  /** Inserts findings and adds them to their tasks' counts (audit_finding_counts), in the caller's transaction. */
  async insertMany(scope: Scope, findings: readonly FindingRecord[]): Promise<void> {
    await insertRows(
      this.db,
      'audit_findings',
      findings.map((f) => ({
        account_id: scope.accountId,
        region: scope.region,
        finding_id: f.findingId,
        task_id: f.taskId,
        check_name: f.checkName,
        severity: f.severity,
        resource_type: f.resourceType,
        resource_identifier: f.resourceIdentifier,
        additional_info: f.additionalInfo ? JSON.stringify(f.additionalInfo) : null,
        related_resources: JSON.stringify(f.relatedResources),
        reason: f.reason ?? null,
        reason_code: f.reasonCode ?? null,
        is_suppressed: f.isSuppressed ? 1 : 0,
        finding_time: f.findingTime.getTime(),
        task_start_time: f.taskStartTime.getTime(),
      })),
    );
    const counts = new Map<string, { task: string; check: string; reason: string; suppressed: number; n: number }>();
    for (const f of findings) {
      const reason = f.reasonCode ?? '';
      const suppressed = f.isSuppressed ? 1 : 0;
      const k = `${f.taskId}\n${f.checkName}\n${reason}\n${suppressed}`;
      const c = counts.get(k);
      if (c) c.n++;
      else counts.set(k, { task: f.taskId, check: f.checkName, reason, suppressed, n: 1 });
    }
    for (const c of counts.values()) await addCount(this.db, scope.accountId, scope.region, c.task, c.check, c.reason, c.suppressed, c.n).run();
  }

  /** The finding counts of one audit task by check, reason code ('' for none) and suppression. */
  async taskCounts(scope: Scope, taskId: string): Promise<FindingCount[]> {
    const rows = await countsOfTask(this.db, scope.accountId, scope.region, taskId).all();
    return rows.map((r) => ({ checkName: r.check_name, reasonCode: r.reason_code, isSuppressed: Number(r.is_suppressed) === 1, n: Number(r.n) }));
  }

  /** One keyset page (one row more than `limit`, so the caller knows whether more follow). */
  async list(scope: Scope, f: FindingFilter, from: FindingPosition | undefined, limit: number): Promise<FindingRecord[]> {
    const byTask = f.taskId !== undefined;
    const order = byTask ? (['check_name', 'finding_id'] as const) : (['finding_time', 'finding_id'] as const);
    const dir = byTask ? 'asc' : 'desc';
    const query = qb(this.db)
      .selectFrom('audit_findings')
      .select(FINDING_COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(f.taskId !== undefined, (w) => w.where('task_id', '=', f.taskId!))
      .$if(f.checkName !== undefined, (w) => w.where('check_name', '=', f.checkName!))
      .$if(f.resourceIdentifier !== undefined, (w) => w.where('resource_identifier', '=', f.resourceIdentifier!))
      .$if(f.window !== undefined, (w) => w.where('finding_time', '>=', f.window!.start.getTime()).where('finding_time', '<=', f.window!.end.getTime()))
      .$if(f.suppressed !== undefined, (w) => w.where('is_suppressed', '=', f.suppressed ? 1 : 0))
      .$if(from !== undefined, (w) => w.where((eb) => after(eb, order, 'c' in from! ? [from.c, from.f] : [from!.t, from!.f], !byTask)))
      .orderBy(order[0], dir)
      .orderBy(order[1], dir)
      .limit(limit + 1);
    return (await all(this.db, query)).map(fromRow);
  }

  /**
   * Deletes the findings and the counts of one audit task, a chunk of findings per statement.
   * Answers the findings deleted.
   */
  async deleteOfTask(scope: Scope, taskId: string): Promise<number> {
    let deleted = 0;
    // Ids first, then a delete by key: a DELETE ... IN (subquery) can get a nested-loop plan
    // on PostgreSQL when the table's statistics are stale (right after a bulk insert).
    for (;;) {
      const ids = (await idsOfTask(this.db, scope.accountId, scope.region, taskId, PURGE_CHUNK).all()).map((r) => r.finding_id);
      await inChunks(ids, async (chunk) => {
        deleted += await run(
          this.db,
          qb(this.db).deleteFrom('audit_findings').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('finding_id', 'in', chunk),
        );
      });
      if (ids.length < PURGE_CHUNK) break;
    }
    await run(
      this.db,
      qb(this.db).deleteFrom('audit_finding_counts').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('task_id', '=', taskId),
    );
    return deleted;
  }
}
