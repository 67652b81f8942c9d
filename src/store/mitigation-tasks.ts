import type { Scope } from '../base/scope.js';
import { claim } from './claim.js';
import type { Driver } from './driver.js';
import { executionFromRow, executionRow, keyOf, PROGRESS_COLUMNS, progressOf, taskFromRow, type CheckStats, type ExecutionRecord, type ProgressRow, type TaskKey, type TaskKind, type TaskProgress, type TaskRecord } from './mitigation-task-records.js';
import { after, all, inChunks, insertRows, prepared, preparedPerShape, qb, recordsetInsertOf, run, type Compiled, type Q } from './sql.js';

export type { CheckStats, ExecutionRecord, TaskKey, TaskKind, TaskProgress, TaskRecord } from './mitigation-task-records.js';

const slotKey = (accountId: string, region: string, kind: string, taskId: string) => ({ account_id: accountId, region, kind, task_id: taskId });

const taskByKey = prepared((q, accountId: string, region: string, kind: string, taskId: string) =>
  q.selectFrom('mitigation_tasks').selectAll().where((eb) => eb.and(slotKey(accountId, region, kind, taskId))),
);
const taskByKeyLocked = prepared((q, accountId: string, region: string, kind: string, taskId: string) =>
  q
    .selectFrom('mitigation_tasks')
    .selectAll()
    .where((eb) => eb.and(slotKey(accountId, region, kind, taskId)))
    .forUpdate(),
);
const taskByToken = prepared((q, accountId: string, region: string, kind: string, token: string) =>
  q.selectFrom('mitigation_tasks').selectAll().where((eb) => eb.and({ account_id: accountId, region, kind, client_token: token })),
);
const inProgressCount = prepared((q, accountId: string, region: string, kind: string) =>
  q
    .selectFrom('mitigation_tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.and({ account_id: accountId, region, kind, status: 'IN_PROGRESS' })),
);

/** Tasks in progress of every scope in (start time, task id) order. */
const inProgressTasks = (q: Q) => q.selectFrom('mitigation_tasks').selectAll().where('status', '=', 'IN_PROGRESS').orderBy('start_time').orderBy('task_id');
const firstInProgress = prepared((q, limit: number) => inProgressTasks(q).limit(limit));
const inProgressAfter = prepared((q, startTime: number, taskId: string, limit: number) =>
  inProgressTasks(q)
    .where((eb) => after(eb, ['start_time', 'task_id'], [startTime, taskId], false))
    .limit(limit),
);
const inProgressUpTo = prepared((q, startTime: number, taskId: string, limit: number) =>
  inProgressTasks(q)
    .where((eb) => eb.or([eb('start_time', '<', startTime), eb.and([eb('start_time', '=', startTime), eb('task_id', '<=', taskId)])]))
    .limit(limit),
);


type Counters = { done?: number; failedTargets?: number; awaiting?: number; executed?: number; failedExecutions?: number; skippedExecutions?: number };

const bumpTask = prepared(
  (q, accountId: string, region: string, kind: string, taskId: string, done: number, failedTargets: number, awaiting: number, executed: number, failedExecutions: number, skippedExecutions: number) =>
    q
      .updateTable('mitigation_tasks')
      .set((eb) => ({
        done_count: eb('done_count', '+', done),
        failed_targets: eb('failed_targets', '+', failedTargets),
        awaiting: eb('awaiting', '+', awaiting),
        executed: eb('executed', '+', executed),
        failed_executions: eb('failed_executions', '+', failedExecutions),
        skipped_executions: eb('skipped_executions', '+', skippedExecutions),
      }))
      .where((eb) => eb.and(slotKey(accountId, region, kind, taskId)))
      .returning(PROGRESS_COLUMNS),
);

/**
 * PostgreSQL: a batch's records in one statement (one round trip where they took three): its
 * executions (the recordset INSERT of insertRows), its targets' new states, each guarded by the
 * states it may move from, and, last, the check's statistics and the task's counters, whose two
 * rows are then locked only until the COMMIT that follows; answers the task's progress. The
 * main UPDATE counts the CTEs' rows, so it runs after them, stats row before task row as ever.
 * Raw SQL: data-modifying CTEs over unnest'ed arrays, PostgreSQL's own, which SQLite has no form of.
 */
const recordBatchPg = (insertExecutions: string) => `WITH e AS (${insertExecutions} RETURNING 1),
  m AS (
    UPDATE mitigation_targets AS t SET state = u.state
    FROM unnest(?::text[], ?::text[], ?::text[]) AS u(target_id, state, from_states)
    WHERE t.account_id = ? AND t.region = ? AND t.kind = ? AND t.task_id = ? AND t.target_id = u.target_id AND t.state = ANY (string_to_array(u.from_states, ','))
    RETURNING 1
  ),
  s AS (
    UPDATE mitigation_task_stats AS s SET succeeded = s.succeeded + u.ok, failed = s.failed + u.bad
    FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS u(check_name, ok, bad)
    WHERE s.account_id = ? AND s.region = ? AND s.task_id = ? AND s.check_name = u.check_name
    RETURNING 1
  )
  UPDATE mitigation_tasks SET done_count = done_count + ?, failed_targets = failed_targets + ?, awaiting = awaiting + ?,
    executed = executed + ?, failed_executions = failed_executions + ?, skipped_executions = skipped_executions + ?
  WHERE account_id = ? AND region = ? AND kind = ? AND task_id = ? AND (SELECT count(*) FROM e) + (SELECT count(*) FROM m) + (SELECT count(*) FROM s) >= 0
  RETURNING ${PROGRESS_COLUMNS.join(', ')}`;

const statsOf = prepared((q, accountId: string, region: string, taskId: string) =>
  q
    .selectFrom('mitigation_task_stats')
    .select(['check_name', 'total', 'succeeded', 'failed', 'skipped', 'canceled'])
    .where((eb) => eb.and({ account_id: accountId, region, task_id: taskId }))
    .orderBy('check_name'),
);
const bumpStatsOf = prepared((q, accountId: string, region: string, taskId: string, checkName: string, succeeded: number, failed: number, canceled: number) =>
  q
    .updateTable('mitigation_task_stats')
    .set((eb) => ({ succeeded: eb('succeeded', '+', succeeded), failed: eb('failed', '+', failed), canceled: eb('canceled', '+', canceled) }))
    .where((eb) => eb.and({ account_id: accountId, region, task_id: taskId, check_name: checkName })),
);

const stateOfTarget = prepared((q, accountId: string, region: string, kind: string, taskId: string, targetId: string) =>
  q
    .selectFrom('mitigation_targets')
    .select(['state', 'check_name'])
    .where((eb) => eb.and({ ...slotKey(accountId, region, kind, taskId), target_id: targetId })),
);

const finishExecution = prepared(
  (q, accountId: string, region: string, kind: string, taskId: string, targetId: string, actionIndex: number, status: string, endTime: number, errorCode: string | null, message: string | null) =>
    q
      .updateTable('mitigation_executions')
      .set({ status, end_time: endTime, error_code: errorCode, message })
      .where((eb) => eb.and({ ...slotKey(accountId, region, kind, taskId), target_id: targetId, action_index: actionIndex, status: 'IN_PROGRESS' })),
);
const executionsOf = prepared((q, accountId: string, region: string, kind: string, taskId: string, targetId: string) =>
  q
    .selectFrom('mitigation_executions')
    .selectAll()
    .where((eb) => eb.and({ ...slotKey(accountId, region, kind, taskId), target_id: targetId }))
    .orderBy('action_index'),
);

/**
 * The batch state change of targets, compiled once per chunk size and number of `from` states: a
 * chunk of target ids (inChunks pads it to one of a few sizes) then the `from` states follow the key.
 */
const setStatesFrom = preparedPerShape(
  (chunkSize: number, fromCount: number) =>
    prepared(
      (q, state: unknown, accountId: unknown, region: unknown, kind: unknown, taskId: unknown, ...rest: unknown[]) =>
        q
          .updateTable('mitigation_targets')
          .set({ state: state as string })
          .where('account_id', '=', accountId as string)
          .where('region', '=', region as string)
          .where('kind', '=', kind as string)
          .where('task_id', '=', taskId as string)
          .where('target_id', 'in', rest.slice(0, chunkSize) as string[])
          .where('state', 'in', rest.slice(chunkSize) as string[]),
      5 + chunkSize + fromCount,
    ) as (db: Driver, ...args: unknown[]) => Compiled<never>,
);

/** Tasks, their statistics, targets and executions: the engine's whole state. */
export class MitigationTaskRepo {
  constructor(private readonly db: Driver) {}

  async insert(scope: Scope, t: TaskRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('mitigation_tasks')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          kind: t.kind,
          task_id: t.taskId,
          client_token: t.clientToken,
          status: t.status,
          start_time: t.startTime.getTime(),
          end_time: t.endTime?.getTime() ?? null,
          target: JSON.stringify(t.target),
          audit_task_id: t.auditTaskId ?? null,
          mapping: JSON.stringify(t.mapping),
          actions_definition: JSON.stringify(t.actionsDefinition),
          options: JSON.stringify(t.options),
          plan_cursor: t.planCursor ?? null,
          planned: t.planned ? 1 : 0,
          target_count: t.targetCount,
        }),
    );
  }

  /** `forUpdate`: PostgreSQL locks the task's row until commit (SQLite's one writer needs no lock). */
  async get(k: TaskKey, forUpdate = false): Promise<(TaskRecord & Scope) | undefined> {
    const query = forUpdate && this.db.dialect === 'postgres' ? taskByKeyLocked : taskByKey;
    const row = await query(this.db, k.accountId, k.region, k.kind, k.taskId).first();
    return row && taskFromRow(row);
  }

  async byToken(scope: Scope, kind: TaskKind, token: string): Promise<TaskRecord | undefined> {
    const row = await taskByToken(this.db, scope.accountId, scope.region, kind, token).first();
    return row && taskFromRow(row);
  }

  async countInProgress(scope: Scope, kind: TaskKind): Promise<number> {
    const row = await inProgressCount(this.db, scope.accountId, scope.region, kind).first();
    return Number(row?.n ?? 0);
  }

  /**
   * Up to `limit` tasks in progress in (start time, task id) order, starting after `after` and
   * wrapping round to the oldest, so that a caller that passes the last one it served visits every
   * task in turn however many there are.
   */
  async inProgress(limit: number, after?: { startTime: Date; taskId: string }): Promise<(TaskRecord & Scope)[]> {
    if (!after) return (await firstInProgress(this.db, limit).all()).map(taskFromRow);
    const t = after.startTime.getTime();
    const later = await inProgressAfter(this.db, t, after.taskId, limit).all();
    const wrapped = later.length < limit ? await inProgressUpTo(this.db, t, after.taskId, limit - later.length).all() : [];
    return [...later, ...wrapped].map(taskFromRow);
  }

  async list(scope: Scope, kind: TaskKind, f: { status?: string; auditTaskId?: string; findingId?: string; from: Date; to: Date; afterStart?: number; afterId?: string; limit: number }) {
    const query = qb(this.db)
      .selectFrom('mitigation_tasks as t')
      .selectAll('t')
      .where('t.account_id', '=', scope.accountId)
      .where('t.region', '=', scope.region)
      .where('t.kind', '=', kind)
      .where('t.start_time', '>=', f.from.getTime())
      .where('t.start_time', '<=', f.to.getTime())
      .$if(!!f.status, (w) => w.where('t.status', '=', f.status!))
      .$if(!!f.auditTaskId, (w) => w.where('t.audit_task_id', '=', f.auditTaskId!))
      .$if(!!f.findingId, (w) =>
        w.where((eb) =>
          eb.exists(
            eb
              .selectFrom('mitigation_targets as g')
              .select('g.target_id')
              .whereRef('g.account_id', '=', 't.account_id')
              .whereRef('g.region', '=', 't.region')
              .whereRef('g.kind', '=', 't.kind')
              .whereRef('g.task_id', '=', 't.task_id')
              .where('g.target_id', '=', f.findingId!),
          ),
        ),
      )
      .$if(f.afterStart !== undefined, (w) =>
        w.where((eb) => eb.or([eb('t.start_time', '>', f.afterStart!), eb.and([eb('t.start_time', '=', f.afterStart!), eb('t.task_id', '>', f.afterId!)])])),
      )
      .orderBy('t.start_time')
      .orderBy('t.task_id')
      .limit(f.limit + 1);
    return (await all(this.db, query)).map(taskFromRow);
  }

  /** Writes the task's planning state. */
  async update(k: TaskKey, set: { planCursor?: string | null; planned?: boolean; targetCount?: number }): Promise<number> {
    const values = {
      ...(set.planCursor !== undefined && { plan_cursor: set.planCursor }),
      ...(set.planned !== undefined && { planned: set.planned ? 1 : 0 }),
      ...(set.targetCount !== undefined && { target_count: set.targetCount }),
    };
    return run(this.db, qb(this.db).updateTable('mitigation_tasks').set(values).where((eb) => eb.and(keyOf(k))));
  }

  /** Adds to the task's counters (never subtracts); answers its progress after. */
  async bump(k: TaskKey, d: Counters): Promise<TaskProgress | undefined> {
    const row = await bumpTask(
      this.db, k.accountId, k.region, k.kind, k.taskId,
      d.done ?? 0, d.failedTargets ?? 0, d.awaiting ?? 0, d.executed ?? 0, d.failedExecutions ?? 0, d.skippedExecutions ?? 0,
    ).first();
    return row && progressOf(row);
  }

  /**
   * What a batch records at its end: its executions, its targets' moves (to `state` from one of
   * `from`, the lifecycle table's guard), each check's finished targets (the statistics) and the
   * task's counters; answers the task's progress after. PostgreSQL does it in one statement
   * (recordBatchPg), SQLite a statement per kind of row.
   */
  async recordBatch(
    k: TaskKey,
    executions: readonly Omit<ExecutionRecord, 'taskId'>[],
    moves: readonly { state: string; from: readonly string[]; targetIds: readonly string[] }[],
    d: Counters,
    perCheck: ReadonlyMap<string, { succeeded: number; failed: number }>,
  ): Promise<TaskProgress | undefined> {
    const rows = executions.map((e) => executionRow(k, e));
    const insert = this.db.dialect === 'postgres' && rows.length > 1 ? recordsetInsertOf(this.db, 'mitigation_executions', rows) : undefined;
    if (!insert) {
      await insertRows(this.db, 'mitigation_executions', rows);
      for (const m of moves) await this.setTargetStates(k, m.targetIds, m.state, m.from);
      for (const [checkName, c] of perCheck) await this.bumpStats(k, k.taskId, checkName, c);
      return this.bump(k, d);
    }
    const targets = moves.flatMap((m) => m.targetIds.map((id) => [id, m.state, m.from.join(',')]));
    const checks = [...perCheck];
    const row = await this.db.get<ProgressRow>(recordBatchPg(insert.sql), [
      ...insert.params,
      targets.map((t) => t[0]), targets.map((t) => t[1]), targets.map((t) => t[2]), k.accountId, k.region, k.kind, k.taskId,
      checks.map(([name]) => name), checks.map(([, c]) => c.succeeded), checks.map(([, c]) => c.failed), k.accountId, k.region, k.taskId,
      d.done ?? 0, d.failedTargets ?? 0, d.awaiting ?? 0, d.executed ?? 0, d.failedExecutions ?? 0, d.skippedExecutions ?? 0,
      k.accountId, k.region, k.kind, k.taskId,
    ]);
    return row && progressOf(row);
  }

  /** Ends a task that is in one of the states `from` (the lifecycle table's guard; engine/lifecycle.ts); false when something else ended it first. */
  async finish(k: TaskKey, status: string, at: Date, from: readonly string[]): Promise<boolean> {
    const query = qb(this.db)
      .updateTable('mitigation_tasks')
      .set({ status, end_time: at.getTime() })
      .where((eb) => eb.and(keyOf(k)))
      .where('status', 'in', from);
    return (await run(this.db, query)) > 0;
  }

  async insertStats(scope: Scope, taskId: string, stats: CheckStats[]): Promise<void> {
    const rows = stats.map((s) => ({
      account_id: scope.accountId, region: scope.region, task_id: taskId, check_name: s.checkName, total: s.total, succeeded: 0, failed: 0, skipped: s.skipped, canceled: 0,
    }));
    await insertRows(this.db, 'mitigation_task_stats', rows);
  }

  async stats(scope: Scope, taskId: string): Promise<CheckStats[]> {
    const rows = await statsOf(this.db, scope.accountId, scope.region, taskId).all();
    return rows.map((r) => ({ checkName: r.check_name, total: Number(r.total), succeeded: Number(r.succeeded), failed: Number(r.failed), skipped: Number(r.skipped), canceled: Number(r.canceled) }));
  }

  async bumpStats(scope: Scope, taskId: string, checkName: string, d: { succeeded?: number; failed?: number; canceled?: number }): Promise<void> {
    await bumpStatsOf(this.db, scope.accountId, scope.region, taskId, checkName, d.succeeded ?? 0, d.failed ?? 0, d.canceled ?? 0).run();
  }

  /**
   * Claims up to `limit` pending targets in order, none once the task is no longer IN_PROGRESS
   * (canceled meanwhile; the same statement, so no read of the task of its own); on PostgreSQL
   * other workers skip the claimed rows.
   */
  async claimTargets(k: TaskKey, limit: number): Promise<{ targetId: string; checkName: string | null }[]> {
    const pending = qb(this.db)
      .selectFrom('mitigation_targets')
      .select(['target_id', 'check_name'])
      .where((eb) => eb.and({ ...keyOf(k), state: 'PENDING' }))
      .where((eb) => eb.exists(eb.selectFrom('mitigation_tasks as t').select('t.status').where((t) => t.and({ 't.account_id': k.accountId, 't.region': k.region, 't.kind': k.kind, 't.task_id': k.taskId, 't.status': 'IN_PROGRESS' }))))
      .orderBy('target_id');
    const rows = await claim(this.db, pending, limit);
    return rows.map((r) => ({ targetId: r.target_id, checkName: r.check_name }));
  }

  /** Sets targets of a task to one state, those in one of the states `from` (the lifecycle table's guard); answers how many changed. */
  async setTargetStates(k: TaskKey, targetIds: readonly string[], state: string, from: readonly string[]): Promise<number> {
    let changed = 0;
    await inChunks(targetIds, async (chunk) => {
      changed += await setStatesFrom(chunk.length, from.length)(this.db, state, k.accountId, k.region, k.kind, k.taskId, ...chunk, ...from).run();
    });
    return changed;
  }

  async targetState(k: TaskKey, targetId: string): Promise<{ state: string; checkName: string | null } | undefined> {
    const row = await stateOfTarget(this.db, k.accountId, k.region, k.kind, k.taskId, targetId).first();
    return row && { state: row.state, checkName: row.check_name };
  }

  /** Marks every unfinished target (not run, or awaiting a delivery) CANCELED; returns how many per check. */
  async cancelPending(k: TaskKey, from: readonly string[]): Promise<Map<string | null, number>> {
    const counts = await all(
      this.db,
      qb(this.db)
        .selectFrom('mitigation_targets')
        .select((eb) => ['check_name', eb.fn.countAll<number>().as('n')])
        .where((eb) => eb.and(keyOf(k)))
        .where('state', 'in', from)
        .groupBy('check_name'),
    );
    await run(
      this.db,
      qb(this.db)
        .updateTable('mitigation_targets')
        .set({ state: 'CANCELED' })
        .where((eb) => eb.and(keyOf(k)))
        .where('state', 'in', from),
    );
    return new Map(counts.map((c) => [c.check_name, Number(c.n)]));
  }

  /** Records executions in multi-row inserts (a batch's executions in a few statements). */
  async insertExecutions(k: TaskKey, list: readonly Omit<ExecutionRecord, 'taskId'>[]): Promise<void> {
    await insertRows(this.db, 'mitigation_executions', list.map((e) => executionRow(k, e)));
  }

  async updateExecution(k: TaskKey, targetId: string, actionIndex: number, set: { status: string; endTime: Date; errorCode?: string; message?: string }): Promise<number> {
    return finishExecution(
      this.db, k.accountId, k.region, k.kind, k.taskId, targetId, actionIndex, set.status, set.endTime.getTime(), set.errorCode ?? null, set.message ?? null,
    ).run();
  }

  async executionsOfTarget(k: TaskKey, targetId: string): Promise<ExecutionRecord[]> {
    const rows = await executionsOf(this.db, k.accountId, k.region, k.kind, k.taskId, targetId).all();
    return rows.map(executionFromRow);
  }

  /** Detect executions in one task (keyset on target, action) or in a time window across tasks. */
  async listExecutions(
    scope: Scope,
    kind: TaskKind,
    f: { taskId?: string; from?: Date; to?: Date; targetId?: string; thingName?: string; after?: [string, string, number]; limit: number },
  ): Promise<ExecutionRecord[]> {
    const query = qb(this.db)
      .selectFrom('mitigation_executions')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('kind', '=', kind)
      .$if(!!f.taskId, (w) => w.where('task_id', '=', f.taskId!))
      .$if(!!f.from, (w) => w.where('start_time', '>=', f.from!.getTime()))
      .$if(!!f.to, (w) => w.where('start_time', '<=', f.to!.getTime()))
      .$if(!!f.targetId, (w) => w.where('target_id', '=', f.targetId!))
      .$if(!!f.thingName, (w) => w.where('thing_name', '=', f.thingName!))
      .$if(!!f.after, (w) => w.where((eb) => after(eb, ['task_id', 'target_id', 'action_index'], f.after!, false)))
      .orderBy('task_id')
      .orderBy('target_id')
      .orderBy('action_index')
      .limit(f.limit + 1);
    return (await all(this.db, query)).map(executionFromRow);
  }

  /** Removes finished tasks (and everything under them) that started before `before`, one task per transaction. */
  async purge(before: Date): Promise<number> {
    const old = await all(
      this.db,
      qb(this.db)
        .selectFrom('mitigation_tasks')
        .select(['account_id', 'region', 'kind', 'task_id'])
        .where('start_time', '<', before.getTime())
        .where('status', '<>', 'IN_PROGRESS'),
    );
    for (const t of old) {
      const key = { account_id: t.account_id, region: t.region, kind: t.kind, task_id: t.task_id };
      await this.db.transaction(async (tx) => {
        const q = qb(tx);
        await run(tx, q.deleteFrom('mitigation_executions').where((eb) => eb.and(key)));
        await run(tx, q.deleteFrom('mitigation_targets').where((eb) => eb.and(key)));
        if (t.kind === 'audit') await run(tx, q.deleteFrom('mitigation_task_stats').where((eb) => eb.and({ account_id: t.account_id, region: t.region, task_id: t.task_id })));
        await run(tx, q.deleteFrom('mitigation_tasks').where((eb) => eb.and(key)));
      });
    }
    return old.length;
  }
}
