import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { CheckStats, TaskKey, TaskKind, TaskRecord } from './mitigation-task-records.js';
import { FindingRepo } from './findings.js';
import { all, prepared, qb, run, selectIn, type Q } from './sql.js';

/**
 * Which findings or violations a mitigation task targets, as queries over the findings and
 * violations tables. Start counts them (audit totals per check); the engine then plans targets in
 * chunks (an INSERT ... SELECT of the next chunk after the task's cursor), so Start answers quickly
 * however large the target is.
 */
type Task = Pick<TaskRecord, 'kind' | 'target' | 'mapping' | 'options'>;

interface AuditTarget {
  auditTaskId?: string;
  findingIds?: string[];
  auditCheckToReasonCodeFilter?: Record<string, string[]>;
}

interface DetectTarget {
  violationIds?: string[];
  securityProfileName?: string;
  behaviorName?: string;
}

interface DetectOptions {
  violationEventOccurrenceRange?: { startTime: number; endTime: number };
  includeOnlyActiveViolations?: boolean;
  includeSuppressedAlerts?: boolean;
}

/** The findings of an audit task's target; `actable`: only those it acts on (not suppressed, not filtered out by reason code). */
function auditFindings(q: Q, scope: Scope, task: Task, actable: boolean) {
  const target = task.target as AuditTarget;
  const checks = Object.keys(task.mapping as Record<string, string[]>);
  const filter = target.auditCheckToReasonCodeFilter ?? {};
  const filtered = Object.keys(filter);
  return q
    .selectFrom('audit_findings')
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .where('check_name', 'in', checks)
    .$if(!!target.findingIds, (w) => w.where('finding_id', 'in', target.findingIds!))
    .$if(!target.findingIds, (w) => w.where('task_id', '=', target.auditTaskId!))
    .$if(actable, (w) => w.where('is_suppressed', '=', 0))
    .$if(actable && filtered.length > 0, (w) =>
      w.where((eb) =>
        eb.or([eb('check_name', 'not in', filtered), ...filtered.map((c) => eb.and([eb('check_name', '=', c), eb('reason_code', 'in', filter[c])]))]),
      ),
    );
}

/** The violations of a detect task's target. */
function detectViolations(q: Q, scope: Scope, task: Task) {
  const target = task.target as DetectTarget;
  const o = task.options as DetectOptions;
  const range = o.violationEventOccurrenceRange;
  return q
    .selectFrom('violations as v')
    .where('v.account_id', '=', scope.accountId)
    .where('v.region', '=', scope.region)
    .$if(!!target.violationIds, (w) => w.where('v.violation_id', 'in', target.violationIds!))
    .$if(!target.violationIds, (w) =>
      w
        .where('v.security_profile_name', '=', target.securityProfileName!)
        .$if(!!target.behaviorName, (w2) => w2.where('v.behavior_name', '=', target.behaviorName!))
        .$if(!!range, (w2) =>
          w2.where((eb) =>
            eb.exists(
              eb
                .selectFrom('violation_events as e')
                .select((e) => e.lit(1).as('one'))
                .whereRef('e.account_id', '=', 'v.account_id')
                .whereRef('e.region', '=', 'v.region')
                .whereRef('e.violation_id', '=', 'v.violation_id')
                .where('e.event_time', '>=', range!.startTime)
                .where('e.event_time', '<=', range!.endTime),
            ),
          ),
        )
        .$if(!range, (w2) => w2.where('v.violation_end_time', 'is', null)),
    )
    .$if(!!o.includeOnlyActiveViolations, (w) => w.where('v.violation_end_time', 'is', null))
    .$if(!o.includeSuppressedAlerts, (w) => w.where('v.suppressed', '=', 0));
}

const auditTaskById = prepared((q, accountId: string, region: string, taskId: string) =>
  q.selectFrom('audit_tasks').select('task_id').where('account_id', '=', accountId).where('region', '=', region).where('task_id', '=', taskId),
);

const lastTarget = prepared((q, accountId: string, region: string, kind: string, taskId: string) =>
  q
    .selectFrom('mitigation_targets')
    .select((eb) => eb.fn.max('target_id').as('last'))
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('kind', '=', kind)
    .where('task_id', '=', taskId),
);

/** What Start validates and counts, and what the engine plans: the targets of mitigation tasks. */
export class MitigationPlanRepo {
  constructor(private readonly db: Driver) {}

  /** The ids a small target names that do not exist in this scope (for Start's validation). */
  async missingTargets(scope: Scope, kind: TaskKind, ids: readonly string[]): Promise<string[]> {
    const q = qb(this.db);
    const rows =
      kind === 'audit'
        ? await selectIn(this.db, ids, (chunk) =>
            q.selectFrom('audit_findings').select('finding_id as id').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('finding_id', 'in', chunk),
          )
        : await selectIn(this.db, ids, (chunk) =>
            q.selectFrom('violations').select('violation_id as id').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('violation_id', 'in', chunk),
          );
    const found = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !found.has(id));
  }

  /** True when the audit task exists in this scope (a target naming an audit task). */
  async auditTaskExists(scope: Scope, auditTaskId: string): Promise<boolean> {
    return (await auditTaskById(this.db, scope.accountId, scope.region, auditTaskId).first()) !== undefined;
  }

  /** Audit totals at start: every finding of a mapped check (skipped included), and the skipped ones (suppressed or filtered out). */
  async auditTotals(scope: Scope, task: Task): Promise<CheckStats[]> {
    const target = task.target as AuditTarget;
    if (target.auditTaskId !== undefined) return this.auditTotalsFromCounts(scope, task, target.auditTaskId, target.auditCheckToReasonCodeFilter ?? {});
    const q = qb(this.db);
    const count = (actable: boolean) =>
      all(
        this.db,
        auditFindings(q, scope, task, actable)
          .select((eb) => ['check_name as c', eb.fn.countAll<number>().as('n')])
          .groupBy('check_name'),
      );
    const totals = await count(false);
    const actedBy = new Map((await count(true)).map((r) => [r.c, Number(r.n)]));
    return totals.map((r) => ({ checkName: r.c, total: Number(r.n), skipped: Number(r.n) - (actedBy.get(r.c) ?? 0), succeeded: 0, failed: 0, canceled: 0 }));
  }

  /** A whole audit's totals from its kept counts (audit_finding_counts): a few rows, however many findings the audit has. */
  private async auditTotalsFromCounts(scope: Scope, task: Task, auditTaskId: string, filter: Record<string, string[]>): Promise<CheckStats[]> {
    const mapped = new Set(Object.keys(task.mapping as Record<string, string[]>));
    const byCheck = new Map<string, { total: number; acted: number }>();
    for (const r of await new FindingRepo(this.db).taskCounts(scope, auditTaskId)) {
      if (!mapped.has(r.checkName)) continue;
      const s = byCheck.get(r.checkName) ?? { total: 0, acted: 0 };
      s.total += r.n;
      const codes = filter[r.checkName];
      if (!r.isSuppressed && (codes === undefined || codes.includes(r.reasonCode))) s.acted += r.n;
      byCheck.set(r.checkName, s);
    }
    return [...byCheck].filter(([, s]) => s.total > 0).map(([checkName, s]) => ({ checkName, total: s.total, skipped: s.total - s.acted, succeeded: 0, failed: 0, canceled: 0 }));
  }

  /**
   * Plans up to `limit` targets of the task after `cursor` (in target id order) as PENDING, in one
   * INSERT ... SELECT; answers how many, and the last one planned (the next cursor).
   */
  async planTargets(task: Task & TaskKey, cursor: string | undefined, limit: number): Promise<{ planned: number; last?: string }> {
    const q = qb(this.db);
    const columns = ['account_id', 'region', 'kind', 'task_id', 'target_id', 'check_name', 'state'] as const;
    const select =
      task.kind === 'audit'
        ? auditFindings(q, task, task, true)
            .$if(cursor !== undefined, (w) => w.where('finding_id', '>', cursor!))
            .select((eb) => ['account_id', 'region', eb.val(task.kind).as('kind'), eb.val(task.taskId).as('task_id'), 'finding_id as target_id', 'check_name', eb.val('PENDING').as('state')])
            .orderBy('finding_id')
            .limit(limit)
        : detectViolations(q, task, task)
            .$if(cursor !== undefined, (w) => w.where('v.violation_id', '>', cursor!))
            .select((eb) => ['v.account_id', 'v.region', eb.val(task.kind).as('kind'), eb.val(task.taskId).as('task_id'), 'v.violation_id as target_id', eb.lit(null).as('check_name'), eb.val('PENDING').as('state')])
            .orderBy('v.violation_id')
            .limit(limit);
    const planned = await run(this.db, q.insertInto('mitigation_targets').columns(columns).expression(select));
    if (planned === 0) return { planned };
    const last = await lastTarget(this.db, task.accountId, task.region, task.kind, task.taskId).first();
    return { planned, last: last?.last ?? undefined };
  }

  /** How many targets the selection still holds beyond the plan cursor, per check (for cancel before planning ends). */
  async unplanned(task: Task & TaskKey, cursor: string | undefined): Promise<Map<string | null, number>> {
    const q = qb(this.db);
    if (task.kind === 'audit') {
      const rows = await all(
        this.db,
        auditFindings(q, task, task, true)
          .$if(cursor !== undefined, (w) => w.where('finding_id', '>', cursor!))
          .select((eb) => ['check_name as c', eb.fn.countAll<number>().as('n')])
          .groupBy('check_name'),
      );
      return new Map(rows.map((r) => [r.c, Number(r.n)]));
    }
    const rows = await all(
      this.db,
      detectViolations(q, task, task)
        .$if(cursor !== undefined, (w) => w.where('v.violation_id', '>', cursor!))
        .select((eb) => eb.fn.countAll<number>().as('n')),
    );
    const n = Number(rows[0]?.n ?? 0);
    return n > 0 ? new Map([[null, n]]) : new Map();
  }

  /**
   * PostgreSQL without fresh statistics (autovacuum off, or not run yet) picks the wrong index for
   * the engine's lookups by primary key: a target's update goes through mitigation_targets_pending,
   * a batch's findings are read through audit_findings_by_resource, each time scanning every row of
   * the task or the scope (45 ms a batch at 100,000 findings, against 0.5 ms). The engine calls this
   * once a large task is planned, to refresh both tables' statistics. Nothing to do on SQLite.
   */
  async refreshStatistics(kind: TaskKind): Promise<void> {
    if (this.db.dialect !== 'postgres') return;
    // Raw SQL: ANALYZE is PostgreSQL maintenance, which Kysely has no builder for.
    await this.db.exec('ANALYZE mitigation_targets');
    await this.db.exec(kind === 'audit' ? 'ANALYZE audit_findings' : 'ANALYZE violations');
  }
}
