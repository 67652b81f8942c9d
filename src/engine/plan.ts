import type { Scope } from '../base/scope.js';
import type { Driver } from '../store/driver.js';
import type { CheckStats, TaskKey, TaskRecord } from '../store/mitigation-tasks.js';
import { FindingRepo } from '../store/findings.js';
import { insertRows } from '../store/rows.js';
import type { StoreTx } from '../store/store.js';

/**
 * Which findings or violations a task targets, as SQL over the findings and violations tables.
 * Start counts them (audit totals per check); the engine then plans targets in chunks, so Start
 * answers quickly however large the target is.
 */
interface Selection {
  from: string;
  idColumn: string;
  checkColumn: string | null;
  where: string[];
  params: unknown[];
}

function auditSelection(scope: Scope, task: Pick<TaskRecord, 'target' | 'mapping'>, actable: boolean): Selection {
  const target = task.target as { auditTaskId?: string; findingIds?: string[]; auditCheckToReasonCodeFilter?: Record<string, string[]> };
  const checks = Object.keys(task.mapping as Record<string, string[]>);
  const where = ['account_id = ?', 'region = ?', `check_name IN (${checks.map(() => '?').join(', ')})`];
  const params: unknown[] = [scope.accountId, scope.region, ...checks];
  if (target.findingIds) {
    where.push(`finding_id IN (${target.findingIds.map(() => '?').join(', ')})`);
    params.push(...target.findingIds);
  } else {
    where.push('task_id = ?');
    params.push(target.auditTaskId);
  }
  if (actable) {
    where.push('is_suppressed = 0');
    const filter = target.auditCheckToReasonCodeFilter;
    if (filter && Object.keys(filter).length) {
      const filtered = Object.keys(filter);
      const alternatives = [`check_name NOT IN (${filtered.map(() => '?').join(', ')})`];
      params.push(...filtered);
      for (const c of filtered) {
        alternatives.push(`(check_name = ? AND reason_code IN (${filter[c].map(() => '?').join(', ')}))`);
        params.push(c, ...filter[c]);
      }
      where.push(`(${alternatives.join(' OR ')})`);
    }
  }
  return { from: 'audit_findings', idColumn: 'finding_id', checkColumn: 'check_name', where, params };
}

function detectSelection(scope: Scope, task: Pick<TaskRecord, 'target' | 'options'>): Selection {
  const target = task.target as { violationIds?: string[]; securityProfileName?: string; behaviorName?: string };
  const o = task.options as { violationEventOccurrenceRange?: { startTime: number; endTime: number }; includeOnlyActiveViolations?: boolean; includeSuppressedAlerts?: boolean };
  const where = ['v.account_id = ?', 'v.region = ?'];
  const params: unknown[] = [scope.accountId, scope.region];
  if (target.violationIds) {
    where.push(`v.violation_id IN (${target.violationIds.map(() => '?').join(', ')})`);
    params.push(...target.violationIds);
  } else {
    where.push('v.security_profile_name = ?');
    params.push(target.securityProfileName);
    if (target.behaviorName) where.push('v.behavior_name = ?'), params.push(target.behaviorName);
    const range = o.violationEventOccurrenceRange;
    if (range) {
      where.push('EXISTS (SELECT 1 FROM violation_events e WHERE e.account_id = v.account_id AND e.region = v.region AND e.violation_id = v.violation_id AND e.event_time >= ? AND e.event_time <= ?)');
      params.push(range.startTime, range.endTime);
    } else {
      where.push('v.violation_end_time IS NULL');
    }
  }
  if (o.includeOnlyActiveViolations) where.push('v.violation_end_time IS NULL');
  if (!o.includeSuppressedAlerts) where.push('v.suppressed = 0');
  return { from: 'violations v', idColumn: 'v.violation_id', checkColumn: null, where, params };
}

const selection = (scope: Scope, task: TaskRecord, actable = true): Selection =>
  task.kind === 'audit' ? auditSelection(scope, task, actable) : detectSelection(scope, task);

/** Audit totals at start: every finding of a mapped check (skipped included), and the skipped ones (suppressed or filtered out). */
export async function auditTotals(db: Driver, scope: Scope, task: TaskRecord): Promise<CheckStats[]> {
  const target = task.target as { auditTaskId?: string; auditCheckToReasonCodeFilter?: Record<string, string[]> };
  if (target.auditTaskId !== undefined) return auditTotalsFromCounts(db, scope, task, target.auditTaskId, target.auditCheckToReasonCodeFilter ?? {});
  const all = auditSelection(scope, task, false);
  const actable = auditSelection(scope, task, true);
  const totals = await db.all<{ c: string; n: number }>(`SELECT check_name AS c, COUNT(*) AS n FROM ${all.from} WHERE ${all.where.join(' AND ')} GROUP BY check_name`, all.params);
  const acted = await db.all<{ c: string; n: number }>(`SELECT check_name AS c, COUNT(*) AS n FROM ${actable.from} WHERE ${actable.where.join(' AND ')} GROUP BY check_name`, actable.params);
  const actedBy = new Map(acted.map((r) => [r.c, Number(r.n)]));
  return totals.map((r) => ({ checkName: r.c, total: Number(r.n), skipped: Number(r.n) - (actedBy.get(r.c) ?? 0), succeeded: 0, failed: 0, canceled: 0 }));
}

/** A whole audit's totals from its kept counts: a few rows, however many findings the audit has. */
async function auditTotalsFromCounts(db: Driver, scope: Scope, task: TaskRecord, auditTaskId: string, filter: Record<string, string[]>): Promise<CheckStats[]> {
  const mapped = new Set(Object.keys(task.mapping as Record<string, string[]>));
  const rows = await new FindingRepo(db).counts(scope, auditTaskId);
  const byCheck = new Map<string, { total: number; acted: number }>();
  for (const r of rows) {
    if (!mapped.has(r.check_name)) continue;
    const s = byCheck.get(r.check_name) ?? { total: 0, acted: 0 };
    const n = Number(r.n);
    s.total += n;
    const codes = filter[r.check_name];
    if (Number(r.is_suppressed) === 0 && (codes === undefined || codes.includes(r.reason_code))) s.acted += n;
    byCheck.set(r.check_name, s);
  }
  return [...byCheck].filter(([, s]) => s.total > 0).map(([checkName, s]) => ({ checkName, total: s.total, skipped: s.total - s.acted, succeeded: 0, failed: 0, canceled: 0 }));
}

/** The ids a small target names that do not exist in this scope (for Start's validation). */
export async function missingIds(db: Driver, table: 'audit_findings' | 'violations', scope: Scope, ids: string[]): Promise<string[]> {
  const column = table === 'audit_findings' ? 'finding_id' : 'violation_id';
  const rows = await db.all<{ id: string }>(`SELECT ${column} AS id FROM ${table} WHERE account_id = ? AND region = ? AND ${column} IN (${ids.map(() => '?').join(', ')})`, [scope.accountId, scope.region, ...ids]);
  const found = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !found.has(id));
}

/**
 * Plans the next chunk of targets after the task's cursor. Returns true when planning is done
 * (and sets target_count). Holds a lock so two nodes never plan the same task at once.
 */
export async function planChunk(tx: StoreTx, task: TaskRecord & TaskKey, chunk: number): Promise<boolean> {
  await tx.lock(task, `plan/${task.kind}/${task.taskId}`);
  const fresh = await tx.mitigationTasks.get(task);
  if (!fresh || fresh.planned || fresh.status !== 'IN_PROGRESS') return true;
  const s = selection(task, fresh);
  const where = [...s.where];
  const params = [...s.params];
  if (fresh.planCursor !== undefined) {
    where.push(`${s.idColumn} > ?`);
    params.push(fresh.planCursor);
  }
  const rows = await tx.db.all<{ id: string; c: string | null }>(
    `SELECT ${s.idColumn} AS id, ${s.checkColumn ?? 'NULL'} AS c FROM ${s.from} WHERE ${where.join(' AND ')} ORDER BY ${s.idColumn} LIMIT ?`,
    [...params, chunk],
  );
  await insertRows(
    tx.db,
    'mitigation_targets',
    ['account_id', 'region', 'kind', 'task_id', 'target_id', 'check_name', 'state'],
    rows.map((r) => [task.accountId, task.region, task.kind, task.taskId, r.id, r.c, 'PENDING']),
  );
  const done = rows.length < chunk;
  const planned = fresh.targetCount + rows.length;
  await tx.mitigationTasks.update(task, {
    plan_cursor: rows.length ? rows[rows.length - 1].id : (fresh.planCursor ?? null),
    planned: done ? 1 : 0,
    target_count: planned,
  });
  // PostgreSQL without fresh statistics (autovacuum off, or not run yet) picks the wrong index for
  // the engine's lookups by primary key: a target's update goes through mitigation_targets_pending,
  // a batch's findings are read through audit_findings_by_resource, each time scanning every row of
  // the task or the scope (45 ms a batch at 100,000 findings, against 0.5 ms). Refresh both tables'
  // statistics once a large task is planned.
  if (done && planned > chunk && tx.db.dialect === 'postgres') {
    await tx.db.exec('ANALYZE mitigation_targets');
    await tx.db.exec(`ANALYZE ${task.kind === 'audit' ? 'audit_findings' : 'violations'}`);
  }
  return done;
}

/** How many targets the selection still holds beyond the plan cursor (for cancel before planning ends). */
export async function unplannedCount(tx: StoreTx, task: TaskRecord & TaskKey): Promise<Map<string | null, number>> {
  if (task.planned) return new Map();
  const s = selection(task, task);
  const where = [...s.where];
  const params = [...s.params];
  if (task.planCursor !== undefined) {
    where.push(`${s.idColumn} > ?`);
    params.push(task.planCursor);
  }
  const rows = await tx.db.all<{ c: string | null; n: number }>(
    `SELECT ${s.checkColumn ?? 'NULL'} AS c, COUNT(*) AS n FROM ${s.from} WHERE ${where.join(' AND ')} GROUP BY ${s.checkColumn ?? "'all'"}`,
    params,
  );
  return new Map(rows.map((r) => [r.c, Number(r.n)]));
}
