import type { Selectable } from 'kysely';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { FindingRepo } from './findings.js';
import type { AuditTaskChecksTable, AuditTasksTable } from './schema.generated.js';
import { claiming } from './claim.js';
import { after, all, first, insertRows, prepared, qb, run, type Q } from './sql.js';

/** An audit task: one Warden runs (its checks set) or one that holds findings given to Warden. */
export interface AuditTaskRecord {
  scope: Scope;
  taskId: string;
  taskType: string;
  taskStatus: string;
  taskStartTime: Date;
  scheduledAuditName?: string;
  endTime?: Date;
  /** The checks Warden runs; undefined for a task whose findings came through POST /_warden/audit-findings. */
  checks?: string[];
  /** Where event-based checks start looking. */
  windowStart?: Date;
  leaseOwner?: string;
  leaseUntil?: Date;
  /** Whether its end notification was written (or none was owed). */
  notified: boolean;
}

/** What a new task is given; the rest starts empty. */
export type NewAuditTask = Pick<AuditTaskRecord, 'taskId' | 'taskType' | 'taskStatus' | 'taskStartTime' | 'scheduledAuditName' | 'checks' | 'windowStart'>;

/** One check of a task Warden runs, and its auditDetails once evaluated. */
export interface AuditCheckRecord {
  checkName: string;
  checkRunStatus: string;
  totalResources?: number;
  nonCompliant?: number;
  suppressed?: number;
  errorCode?: string;
  message?: string;
}

export type EndedStatus = 'COMPLETED' | 'FAILED' | 'CANCELED';

const TASK_COLUMNS = [
  'account_id', 'region', 'task_id', 'task_type', 'task_status', 'task_start_time', 'scheduled_audit_name', 'end_time', 'checks', 'window_start', 'lease_owner', 'lease_until', 'notified',
] as const;
type TaskRow = Pick<Selectable<AuditTasksTable>, (typeof TASK_COLUMNS)[number]>;

const CHECK_COLUMNS = ['check_name', 'check_run_status', 'total_resources', 'non_compliant', 'suppressed', 'error_code', 'message'] as const;
type CheckRow = Pick<AuditTaskChecksTable, (typeof CHECK_COLUMNS)[number]>;

const date = (ms: number | null): Date | undefined => (ms === null ? undefined : new Date(Number(ms)));
const num = (v: number | null): number | undefined => (v === null ? undefined : Number(v));

const taskOf = (r: TaskRow): AuditTaskRecord => ({
  scope: { accountId: r.account_id, region: r.region },
  taskId: r.task_id,
  taskType: r.task_type,
  taskStatus: r.task_status,
  taskStartTime: new Date(Number(r.task_start_time)),
  scheduledAuditName: r.scheduled_audit_name ?? undefined,
  endTime: date(r.end_time),
  checks: r.checks === null ? undefined : (JSON.parse(r.checks) as string[]),
  windowStart: date(r.window_start),
  leaseOwner: r.lease_owner ?? undefined,
  leaseUntil: date(r.lease_until),
  notified: Number(r.notified) === 1,
});

const checkOf = (r: CheckRow): AuditCheckRecord => ({
  checkName: r.check_name,
  checkRunStatus: r.check_run_status,
  totalResources: num(r.total_resources),
  nonCompliant: num(r.non_compliant),
  suppressed: num(r.suppressed),
  errorCode: r.error_code ?? undefined,
  message: r.message ?? undefined,
});

const byId = prepared((q, accountId: string, region: string, taskId: string) =>
  q.selectFrom('audit_tasks').select(TASK_COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('task_id', '=', taskId),
);

const runnableTasks = claiming((q: Q, now: number, limit: number) =>
  q
    .selectFrom('audit_tasks')
    .select(TASK_COLUMNS)
    .where('task_status', '=', 'IN_PROGRESS')
    .where('checks', 'is not', null)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('task_start_time')
    .limit(limit),
);

const takeLease = prepared((q, owner: string, until: number, accountId: string, region: string, taskId: string, now: number) =>
  q
    .updateTable('audit_tasks')
    .set({ lease_owner: owner, lease_until: until })
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('task_id', '=', taskId)
    .where('task_status', '=', 'IN_PROGRESS')
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_until', 'is', null), eb('lease_until', '<', now)])),
);

const checksOf = prepared((q, accountId: string, region: string, taskId: string) =>
  q.selectFrom('audit_task_checks').select(CHECK_COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('task_id', '=', taskId).orderBy('check_name'),
);

const finish = prepared(
  (
    q,
    status: string,
    total: number | null,
    nonCompliant: number | null,
    suppressed: number | null,
    errorCode: string | null,
    message: string | null,
    accountId: string,
    region: string,
    taskId: string,
    checkName: string,
  ) =>
    q
      .updateTable('audit_task_checks')
      .set({ check_run_status: status, total_resources: total, non_compliant: nonCompliant, suppressed, error_code: errorCode, message })
      .where('account_id', '=', accountId)
      .where('region', '=', region)
      .where('task_id', '=', taskId)
      .where('check_name', '=', checkName)
      .where('check_run_status', '=', 'IN_PROGRESS'),
);

/** Audit tasks and their checks: the one repo of audit_tasks and audit_task_checks. */
export class AuditTaskRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, taskId: string): Promise<AuditTaskRecord | undefined> {
    const row = await byId(this.db, scope.accountId, scope.region, taskId).first();
    return row && taskOf(row);
  }

  /** Records a new task; with `checks`, each of them starts IN_PROGRESS in audit_task_checks. */
  async insert(scope: Scope, t: NewAuditTask): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('audit_tasks')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          task_id: t.taskId,
          task_type: t.taskType,
          task_status: t.taskStatus,
          task_start_time: t.taskStartTime.getTime(),
          scheduled_audit_name: t.scheduledAuditName ?? null,
          checks: t.checks === undefined ? null : JSON.stringify(t.checks),
          window_start: t.windowStart?.getTime() ?? null,
        }),
    );
    if (t.checks === undefined) return;
    const rows = t.checks.map((check) => ({ account_id: scope.accountId, region: scope.region, task_id: t.taskId, check_name: check, check_run_status: 'IN_PROGRESS' }));
    await insertRows(this.db, 'audit_task_checks', rows);
  }

  /** Tasks IN_PROGRESS in this scope (the limit of 10 concurrent audits). */
  async countInProgress(scope: Scope): Promise<number> {
    const query = qb(this.db)
      .selectFrom('audit_tasks')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('task_status', '=', 'IN_PROGRESS');
    return Number((await first(this.db, query))?.n ?? 0);
  }

  /**
   * Inside a transaction: claims the oldest runnable task (IN_PROGRESS, run by Warden: checks set,
   * no live lease) and leases it to `owner` until `until`; undefined when none is waiting. On
   * PostgreSQL a task another node is claiming is skipped.
   */
  async claim(owner: string, now: Date, until: Date): Promise<AuditTaskRecord | undefined> {
    const [row] = await runnableTasks(this.db, now.getTime(), 1).all();
    if (!row) return undefined;
    await takeLease(this.db, owner, until.getTime(), row.account_id, row.region, row.task_id, now.getTime()).run();
    return taskOf(row);
  }

  /** Takes (or renews) the lease when it is free, expired or already ours; true when we hold it. */
  async lease(scope: Scope, taskId: string, owner: string, now: Date, until: Date): Promise<boolean> {
    return (await takeLease(this.db, owner, until.getTime(), scope.accountId, scope.region, taskId, now.getTime()).run()) > 0;
  }

  /** Tasks that ended without the runner (canceled) and still owe their notification. */
  async endedUnnotified(limit: number): Promise<AuditTaskRecord[]> {
    const query = qb(this.db)
      .selectFrom('audit_tasks')
      .select(TASK_COLUMNS)
      .where('task_status', 'in', ['CANCELED', 'FAILED'])
      .where('notified', '=', 0)
      .where('checks', 'is not', null)
      .limit(limit);
    return (await all(this.db, query)).map(taskOf);
  }

  /** Gives up the leases `owner` holds (a runner that stops). */
  async releaseLeases(owner: string): Promise<void> {
    await run(this.db, qb(this.db).updateTable('audit_tasks').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner));
  }

  /** Drops every lease: for a runner starting on a database no other process can be running audits on. */
  async releaseAllLeases(): Promise<void> {
    await run(this.db, qb(this.db).updateTable('audit_tasks').set({ lease_owner: null, lease_until: null }).where('lease_owner', 'is not', null));
  }

  /** The task's checks in name order. */
  async checks(scope: Scope, taskId: string): Promise<AuditCheckRecord[]> {
    return (await checksOf(this.db, scope.accountId, scope.region, taskId).all()).map(checkOf);
  }

  /** Records one check's result; 0 when the check is no longer IN_PROGRESS (canceled, or another node got there first). */
  async finishCheck(scope: Scope, taskId: string, c: AuditCheckRecord): Promise<number> {
    return finish(
      this.db,
      c.checkRunStatus,
      c.totalResources ?? null,
      c.nonCompliant ?? null,
      c.suppressed ?? null,
      c.errorCode ?? null,
      c.message ?? null,
      scope.accountId,
      scope.region,
      taskId,
      c.checkName,
    ).run();
  }

  /** Ends an IN_PROGRESS task; its unfinished checks become CANCELED when it is canceled. 0 when it had ended already. */
  async end(scope: Scope, taskId: string, status: EndedStatus, at: Date): Promise<number> {
    const n = await run(
      this.db,
      qb(this.db)
        .updateTable('audit_tasks')
        .set({ task_status: status, end_time: at.getTime(), lease_owner: null, lease_until: null })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('task_id', '=', taskId)
        .where('task_status', '=', 'IN_PROGRESS'),
    );
    if (n > 0 && status !== 'COMPLETED') {
      await run(
        this.db,
        qb(this.db)
          .updateTable('audit_task_checks')
          .set({ check_run_status: status })
          .where('account_id', '=', scope.accountId)
          .where('region', '=', scope.region)
          .where('task_id', '=', taskId)
          .where('check_run_status', '=', 'IN_PROGRESS'),
      );
    }
    return n;
  }

  async markNotified(scope: Scope, taskId: string): Promise<void> {
    await run(
      this.db,
      qb(this.db).updateTable('audit_tasks').set({ notified: 1 }).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('task_id', '=', taskId),
    );
  }

  /** ListAuditTasks: tasks that started within [from, to], newest first, keyset after (start, id). */
  async list(
    scope: Scope,
    f: { from: Date; to: Date; taskType?: string; taskStatus?: string; after?: { s: number; id: string }; limit: number },
  ): Promise<AuditTaskRecord[]> {
    const query = qb(this.db)
      .selectFrom('audit_tasks')
      .select(TASK_COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('task_start_time', '>=', f.from.getTime())
      .where('task_start_time', '<=', f.to.getTime())
      .$if(!!f.taskType, (w) => w.where('task_type', '=', f.taskType!))
      .$if(!!f.taskStatus, (w) => w.where('task_status', '=', f.taskStatus!))
      .$if(f.after !== undefined, (w) => w.where((eb) => after(eb, ['task_start_time', 'task_id'], [f.after!.s, f.after!.id], true)))
      .orderBy('task_start_time', 'desc')
      .orderBy('task_id', 'desc')
      .limit(f.limit + 1);
    return (await all(this.db, query)).map(taskOf);
  }

  /**
   * Deletes audit tasks that started before `cutoff` with all their findings, a chunk at a time
   * (findings first, the task last, so an interrupted purge resumes). Answers the findings deleted.
   */
  async purge(cutoff: Date): Promise<number> {
    const findings = new FindingRepo(this.db);
    let deleted = 0;
    for (;;) {
      const tasks = await all(this.db, qb(this.db).selectFrom('audit_tasks').select(['account_id', 'region', 'task_id']).where('task_start_time', '<', cutoff.getTime()).limit(100));
      if (!tasks.length) return deleted;
      for (const t of tasks) {
        const scope: Scope = { accountId: t.account_id, region: t.region };
        deleted += await findings.deleteOfTask(scope, t.task_id);
        for (const table of ['audit_task_checks', 'audit_tasks'] as const) {
          await run(this.db, qb(this.db).deleteFrom(table).where('account_id', '=', t.account_id).where('region', '=', t.region).where('task_id', '=', t.task_id));
        }
      }
    }
  }
}
