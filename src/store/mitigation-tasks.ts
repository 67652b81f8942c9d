import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { inChunks, insertRows } from './rows.js';

export type TaskKind = 'audit' | 'detect';

export interface TaskRecord {
  kind: TaskKind;
  taskId: string;
  clientToken: string;
  status: string;
  startTime: Date;
  endTime?: Date;
  target: Record<string, unknown>;
  auditTaskId?: string;
  /** Audit: auditCheckToActionsMapping. Detect: the action names in order. */
  mapping: unknown;
  actionsDefinition: { name: string; id: string; roleArn: string; actionParams: Record<string, unknown> }[];
  /** Detect: violationEventOccurrenceRange, includeOnlyActiveViolations, includeSuppressedAlerts. */
  options: Record<string, unknown>;
  planCursor?: string;
  planned: boolean;
  targetCount: number;
  doneCount: number;
  failedTargets: number;
  awaiting: number;
  executed: number;
  failedExecutions: number;
  skippedExecutions: number;
}

export interface TaskKey extends Scope {
  kind: TaskKind;
  taskId: string;
}

export interface CheckStats {
  checkName: string;
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  canceled: number;
}

export interface ExecutionRecord {
  targetId: string;
  actionIndex: number;
  actionName: string;
  actionId: string;
  thingName?: string;
  status: string;
  startTime: Date;
  endTime?: Date;
  errorCode?: string;
  message?: string;
  taskId: string;
}

interface TaskRow {
  account_id: string;
  region: string;
  kind: TaskKind;
  task_id: string;
  client_token: string;
  status: string;
  start_time: number;
  end_time: number | null;
  target: string;
  audit_task_id: string | null;
  mapping: string;
  actions_definition: string;
  options: string;
  plan_cursor: string | null;
  planned: number;
  target_count: number;
  done_count: number;
  failed_targets: number;
  awaiting: number;
  executed: number;
  failed_executions: number;
  skipped_executions: number;
}

export const taskFromRow = (r: TaskRow): TaskRecord & Scope => ({
  accountId: r.account_id,
  region: r.region,
  kind: r.kind,
  taskId: r.task_id,
  clientToken: r.client_token,
  status: r.status,
  startTime: new Date(r.start_time),
  endTime: r.end_time === null ? undefined : new Date(r.end_time),
  target: JSON.parse(r.target),
  auditTaskId: r.audit_task_id ?? undefined,
  mapping: JSON.parse(r.mapping),
  actionsDefinition: JSON.parse(r.actions_definition),
  options: JSON.parse(r.options),
  planCursor: r.plan_cursor ?? undefined,
  planned: r.planned === 1,
  targetCount: Number(r.target_count),
  doneCount: Number(r.done_count),
  failedTargets: Number(r.failed_targets),
  awaiting: Number(r.awaiting),
  executed: Number(r.executed),
  failedExecutions: Number(r.failed_executions),
  skippedExecutions: Number(r.skipped_executions),
});

interface ExecutionRow {
  task_id: string;
  target_id: string;
  action_index: number;
  action_name: string;
  action_id: string;
  thing_name: string | null;
  status: string;
  start_time: number;
  end_time: number | null;
  error_code: string | null;
  message: string | null;
}

const executionFromRow = (r: ExecutionRow): ExecutionRecord => ({
  taskId: r.task_id,
  targetId: r.target_id,
  actionIndex: r.action_index,
  actionName: r.action_name,
  actionId: r.action_id,
  thingName: r.thing_name ?? undefined,
  status: r.status,
  startTime: new Date(r.start_time),
  endTime: r.end_time === null ? undefined : new Date(r.end_time),
  errorCode: r.error_code ?? undefined,
  message: r.message ?? undefined,
});

const KEY = 'account_id = ? AND region = ? AND kind = ? AND task_id = ?';
const key = (k: TaskKey): unknown[] => [k.accountId, k.region, k.kind, k.taskId];

/** Tasks, their statistics, targets and executions: the engine's whole state. */
export class MitigationTaskRepo {
  constructor(private readonly db: Driver) {}

  async insert(scope: Scope, t: TaskRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO mitigation_tasks (account_id, region, kind, task_id, client_token, status, start_time, end_time, target, audit_task_id, mapping,
         actions_definition, options, plan_cursor, planned, target_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        scope.accountId, scope.region, t.kind, t.taskId, t.clientToken, t.status, t.startTime.getTime(), t.endTime?.getTime() ?? null,
        JSON.stringify(t.target), t.auditTaskId ?? null, JSON.stringify(t.mapping), JSON.stringify(t.actionsDefinition),
        JSON.stringify(t.options), t.planCursor ?? null, t.planned ? 1 : 0, t.targetCount,
      ],
    );
  }

  async get(k: TaskKey, forUpdate = false): Promise<(TaskRecord & Scope) | undefined> {
    const lock = forUpdate && this.db.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const row = await this.db.get<TaskRow>(`SELECT * FROM mitigation_tasks WHERE ${KEY}${lock}`, key(k));
    return row && taskFromRow(row);
  }

  async byToken(scope: Scope, kind: TaskKind, token: string): Promise<TaskRecord | undefined> {
    const row = await this.db.get<TaskRow>('SELECT * FROM mitigation_tasks WHERE account_id = ? AND region = ? AND kind = ? AND client_token = ?', [
      scope.accountId, scope.region, kind, token,
    ]);
    return row && taskFromRow(row);
  }

  async countInProgress(scope: Scope, kind: TaskKind): Promise<number> {
    const row = await this.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM mitigation_tasks WHERE account_id = ? AND region = ? AND kind = ? AND status = 'IN_PROGRESS'",
      [scope.accountId, scope.region, kind],
    );
    return Number(row?.n ?? 0);
  }

  /** The oldest tasks still in progress, across all accounts: the engine's work list. */
  /**
   * Up to `limit` tasks in progress in (start time, task id) order, starting after `after` and
   * wrapping round to the oldest, so that a caller that passes the last one it served visits every
   * task in turn however many there are.
   */
  async inProgress(limit: number, after?: { startTime: Date; taskId: string }): Promise<(TaskRecord & Scope)[]> {
    const order = 'ORDER BY start_time, task_id LIMIT ?';
    if (!after) return (await this.db.all<TaskRow>(`SELECT * FROM mitigation_tasks WHERE status = 'IN_PROGRESS' ${order}`, [limit])).map(taskFromRow);
    const t = after.startTime.getTime();
    const later = await this.db.all<TaskRow>(
      `SELECT * FROM mitigation_tasks WHERE status = 'IN_PROGRESS' AND (start_time > ? OR (start_time = ? AND task_id > ?)) ${order}`,
      [t, t, after.taskId, limit],
    );
    const wrapped =
      later.length < limit
        ? await this.db.all<TaskRow>(`SELECT * FROM mitigation_tasks WHERE status = 'IN_PROGRESS' AND (start_time < ? OR (start_time = ? AND task_id <= ?)) ${order}`, [t, t, after.taskId, limit - later.length])
        : [];
    return [...later, ...wrapped].map(taskFromRow);
  }

  async list(scope: Scope, kind: TaskKind, f: { status?: string; auditTaskId?: string; findingId?: string; from: Date; to: Date; afterStart?: number; afterId?: string; limit: number }) {
    const where = ['t.account_id = ?', 't.region = ?', 't.kind = ?', 't.start_time >= ?', 't.start_time <= ?'];
    const params: unknown[] = [scope.accountId, scope.region, kind, f.from.getTime(), f.to.getTime()];
    if (f.status) where.push('t.status = ?'), params.push(f.status);
    if (f.auditTaskId) where.push('t.audit_task_id = ?'), params.push(f.auditTaskId);
    if (f.findingId) {
      where.push('EXISTS (SELECT 1 FROM mitigation_targets g WHERE g.account_id = t.account_id AND g.region = t.region AND g.kind = t.kind AND g.task_id = t.task_id AND g.target_id = ?)');
      params.push(f.findingId);
    }
    if (f.afterStart !== undefined) {
      where.push('(t.start_time > ? OR (t.start_time = ? AND t.task_id > ?))');
      params.push(f.afterStart, f.afterStart, f.afterId);
    }
    params.push(f.limit + 1);
    const rows = await this.db.all<TaskRow>(`SELECT t.* FROM mitigation_tasks t WHERE ${where.join(' AND ')} ORDER BY t.start_time, t.task_id LIMIT ?`, params);
    return rows.map(taskFromRow);
  }

  async update(k: TaskKey, set: Partial<Record<'status' | 'end_time' | 'plan_cursor' | 'planned' | 'target_count', unknown>>): Promise<number> {
    const cols = Object.keys(set);
    return this.db.run(`UPDATE mitigation_tasks SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE ${KEY}`, [...cols.map((c) => set[c as keyof typeof set]), ...key(k)]);
  }

  /** Adds to the task's counters (never subtracts). */
  async bump(k: TaskKey, d: { done?: number; failedTargets?: number; awaiting?: number; executed?: number; failedExecutions?: number; skippedExecutions?: number }): Promise<void> {
    await this.db.run(
      `UPDATE mitigation_tasks SET done_count = done_count + ?, failed_targets = failed_targets + ?, awaiting = awaiting + ?, executed = executed + ?,
         failed_executions = failed_executions + ?, skipped_executions = skipped_executions + ? WHERE ${KEY}`,
      [d.done ?? 0, d.failedTargets ?? 0, d.awaiting ?? 0, d.executed ?? 0, d.failedExecutions ?? 0, d.skippedExecutions ?? 0, ...key(k)],
    );
  }

  /** Ends the task if it is still in progress; false when something else ended it first. */
  /** Ends a task that is in one of the states `from` (the lifecycle table's guard; engine/lifecycle.ts). */
  async finish(k: TaskKey, status: string, at: Date, from: readonly string[]): Promise<boolean> {
    return (
      (await this.db.run(`UPDATE mitigation_tasks SET status = ?, end_time = ? WHERE ${KEY} AND status IN (${from.map(() => '?').join(', ')})`, [status, at.getTime(), ...key(k), ...from])) > 0
    );
  }

  async insertStats(scope: Scope, taskId: string, stats: CheckStats[]): Promise<void> {
    for (const s of stats) {
      await this.db.run('INSERT INTO mitigation_task_stats (account_id, region, task_id, check_name, total, succeeded, failed, skipped, canceled) VALUES (?, ?, ?, ?, ?, 0, 0, ?, 0)', [
        scope.accountId, scope.region, taskId, s.checkName, s.total, s.skipped,
      ]);
    }
  }

  async stats(scope: Scope, taskId: string): Promise<CheckStats[]> {
    const rows = await this.db.all<{ check_name: string; total: number; succeeded: number; failed: number; skipped: number; canceled: number }>(
      'SELECT check_name, total, succeeded, failed, skipped, canceled FROM mitigation_task_stats WHERE account_id = ? AND region = ? AND task_id = ? ORDER BY check_name',
      [scope.accountId, scope.region, taskId],
    );
    return rows.map((r) => ({ checkName: r.check_name, total: Number(r.total), succeeded: Number(r.succeeded), failed: Number(r.failed), skipped: Number(r.skipped), canceled: Number(r.canceled) }));
  }

  async bumpStats(scope: Scope, taskId: string, checkName: string, d: { succeeded?: number; failed?: number; canceled?: number }): Promise<void> {
    await this.db.run(
      'UPDATE mitigation_task_stats SET succeeded = succeeded + ?, failed = failed + ?, canceled = canceled + ? WHERE account_id = ? AND region = ? AND task_id = ? AND check_name = ?',
      [d.succeeded ?? 0, d.failed ?? 0, d.canceled ?? 0, scope.accountId, scope.region, taskId, checkName],
    );
  }

  /** Claims up to `limit` pending targets in order; on PostgreSQL other workers skip the claimed rows. */
  async claimTargets(k: TaskKey, limit: number): Promise<{ targetId: string; checkName: string | null }[]> {
    const lock = this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.db.all<{ target_id: string; check_name: string | null }>(
      `SELECT target_id, check_name FROM mitigation_targets WHERE ${KEY} AND state = 'PENDING' ORDER BY target_id LIMIT ?${lock}`,
      [...key(k), limit],
    );
    return rows.map((r) => ({ targetId: r.target_id, checkName: r.check_name }));
  }

  /** Sets targets of a task to one state, those in one of the states `from` (the lifecycle table's guard); answers how many changed. */
  async setTargetStates(k: TaskKey, targetIds: readonly string[], state: string, from: readonly string[]): Promise<number> {
    const guard = from.map(() => '?').join(', ');
    let changed = 0;
    await inChunks(targetIds, async (list, chunk) => {
      changed += await this.db.run(`UPDATE mitigation_targets SET state = ? WHERE ${KEY} AND target_id IN (${list}) AND state IN (${guard})`, [state, ...key(k), ...chunk, ...from]);
    });
    return changed;
  }

  async targetState(k: TaskKey, targetId: string): Promise<{ state: string; checkName: string | null } | undefined> {
    const row = await this.db.get<{ state: string; check_name: string | null }>(`SELECT state, check_name FROM mitigation_targets WHERE ${KEY} AND target_id = ?`, [...key(k), targetId]);
    return row && { state: row.state, checkName: row.check_name };
  }

  /** Marks every unfinished target (not run, or awaiting a delivery) CANCELED; returns how many per check. */
  async cancelPending(k: TaskKey, from: readonly string[]): Promise<Map<string | null, number>> {
    const open = `state IN (${from.map(() => '?').join(', ')})`;
    const counts = await this.db.all<{ check_name: string | null; n: number }>(
      `SELECT check_name, COUNT(*) AS n FROM mitigation_targets WHERE ${KEY} AND ${open} GROUP BY check_name`,
      [...key(k), ...from],
    );
    await this.db.run(`UPDATE mitigation_targets SET state = 'CANCELED' WHERE ${KEY} AND ${open}`, [...key(k), ...from]);
    return new Map(counts.map((c) => [c.check_name, Number(c.n)]));
  }

  /** Records executions in multi-row inserts (a batch's executions in a few statements). */
  async insertExecutions(k: TaskKey, list: readonly Omit<ExecutionRecord, 'taskId'>[]): Promise<void> {
    await insertRows(
      this.db,
      'mitigation_executions',
      ['account_id', 'region', 'kind', 'task_id', 'target_id', 'action_index', 'action_name', 'action_id', 'thing_name', 'status', 'start_time', 'end_time', 'error_code', 'message'],
      list.map((e) => [...key(k), e.targetId, e.actionIndex, e.actionName, e.actionId, e.thingName ?? null, e.status, e.startTime.getTime(), e.endTime?.getTime() ?? null, e.errorCode ?? null, e.message ?? null]),
    );
  }

  async updateExecution(k: TaskKey, targetId: string, actionIndex: number, set: { status: string; endTime: Date; errorCode?: string; message?: string }): Promise<number> {
    return this.db.run(
      `UPDATE mitigation_executions SET status = ?, end_time = ?, error_code = ?, message = ? WHERE ${KEY} AND target_id = ? AND action_index = ? AND status = 'IN_PROGRESS'`,
      [set.status, set.endTime.getTime(), set.errorCode ?? null, set.message ?? null, ...key(k), targetId, actionIndex],
    );
  }

  async executionsOfTarget(k: TaskKey, targetId: string): Promise<ExecutionRecord[]> {
    const rows = await this.db.all<ExecutionRow>(`SELECT * FROM mitigation_executions WHERE ${KEY} AND target_id = ? ORDER BY action_index`, [...key(k), targetId]);
    return rows.map(executionFromRow);
  }

  /** Detect executions in one task (keyset on target, action) or in a time window across tasks. */
  async listExecutions(
    scope: Scope,
    kind: TaskKind,
    f: { taskId?: string; from?: Date; to?: Date; targetId?: string; thingName?: string; after?: [string, string, number]; limit: number },
  ): Promise<ExecutionRecord[]> {
    const where = ['account_id = ?', 'region = ?', 'kind = ?'];
    const params: unknown[] = [scope.accountId, scope.region, kind];
    if (f.taskId) where.push('task_id = ?'), params.push(f.taskId);
    if (f.from) where.push('start_time >= ?'), params.push(f.from.getTime());
    if (f.to) where.push('start_time <= ?'), params.push(f.to.getTime());
    if (f.targetId) where.push('target_id = ?'), params.push(f.targetId);
    if (f.thingName) where.push('thing_name = ?'), params.push(f.thingName);
    if (f.after) {
      where.push('(task_id > ? OR (task_id = ? AND (target_id > ? OR (target_id = ? AND action_index > ?))))');
      params.push(f.after[0], f.after[0], f.after[1], f.after[1], f.after[2]);
    }
    params.push(f.limit + 1);
    const rows = await this.db.all<ExecutionRow>(`SELECT * FROM mitigation_executions WHERE ${where.join(' AND ')} ORDER BY task_id, target_id, action_index LIMIT ?`, params);
    return rows.map(executionFromRow);
  }

  /** Removes finished tasks (and everything under them) that started before `before`, one task per transaction. */
  async purge(before: Date): Promise<number> {
    const old = await this.db.all<TaskRow>("SELECT account_id, region, kind, task_id FROM mitigation_tasks WHERE start_time < ? AND status <> 'IN_PROGRESS'", [before.getTime()]);
    for (const t of old) {
      const k = [t.account_id, t.region, t.kind, t.task_id];
      await this.db.transaction(async (tx) => {
        await tx.run(`DELETE FROM mitigation_executions WHERE ${KEY}`, k);
        await tx.run(`DELETE FROM mitigation_targets WHERE ${KEY}`, k);
        if (t.kind === 'audit') await tx.run('DELETE FROM mitigation_task_stats WHERE account_id = ? AND region = ? AND task_id = ?', [t.account_id, t.region, t.task_id]);
        await tx.run(`DELETE FROM mitigation_tasks WHERE ${KEY}`, k);
      });
    }
    return old.length;
  }
}
