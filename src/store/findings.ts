import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { after, inChunks, insertRows, selectIn } from './rows.js';

/** An audit_findings row as stored (timestamps epoch ms, JSON as TEXT). */
export interface FindingRow {
  finding_id: string;
  task_id: string;
  check_name: string;
  severity: string;
  resource_type: string;
  /** Canonical JSON (keys sorted) of the ResourceIdentifier. */
  resource_identifier: string;
  additional_info: string | null;
  related_resources: string;
  reason: string | null;
  reason_code: string | null;
  is_suppressed: number;
  finding_time: number;
  task_start_time: number;
}

export interface AuditTaskRow {
  task_id: string;
  task_type: string;
  task_status: string;
  task_start_time: number;
  scheduled_audit_name: string | null;
}

export const FINDING_COLUMNS = [
  'finding_id', 'task_id', 'check_name', 'severity', 'resource_type', 'resource_identifier', 'additional_info',
  'related_resources', 'reason', 'reason_code', 'is_suppressed', 'finding_time', 'task_start_time',
] as const;

const SELECT = FINDING_COLUMNS.join(', ');

/**
 * What ListAuditFindings asks for. With a taskId the findings come in (check name, finding id)
 * order (the index the engine plans by); otherwise newest first in the [start, end] window.
 */
export interface FindingFilter {
  taskId?: string;
  checkName?: string;
  resourceIdentifier?: string;
  window?: { start: number; end: number };
  /** true: only suppressed findings; false: only unsuppressed ones; undefined: both. */
  suppressed?: boolean;
}

export type FindingPosition = { c: string; f: string } | { t: number; f: string };

/** Rows of one purge statement; each is its own short transaction, so the API never waits long. */
const PURGE_CHUNK = 2000;

export class FindingRepo {
  constructor(private readonly db: Driver) {}

  async getTask(scope: Scope, taskId: string): Promise<AuditTaskRow | undefined> {
    return this.db.get<AuditTaskRow>(
      'SELECT task_id, task_type, task_status, task_start_time, scheduled_audit_name FROM audit_tasks WHERE account_id = ? AND region = ? AND task_id = ?',
      [scope.accountId, scope.region, taskId],
    );
  }

  async insertTask(scope: Scope, t: AuditTaskRow): Promise<void> {
    await this.db.run(
      'INSERT INTO audit_tasks (account_id, region, task_id, task_type, task_status, task_start_time, scheduled_audit_name) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [scope.accountId, scope.region, t.task_id, t.task_type, t.task_status, t.task_start_time, t.scheduled_audit_name],
    );
  }

  async get(scope: Scope, findingId: string): Promise<FindingRow | undefined> {
    return this.db.get<FindingRow>(`SELECT ${SELECT} FROM audit_findings WHERE account_id = ? AND region = ? AND finding_id = ?`, [
      scope.accountId,
      scope.region,
      findingId,
    ]);
  }

  /** Which of `ids` already exist in this scope. */
  async existing(scope: Scope, ids: readonly string[]): Promise<string[]> {
    const rows = await selectIn<{ id: string }>(
      this.db,
      (list) => `SELECT finding_id AS id FROM audit_findings WHERE account_id = ? AND region = ? AND finding_id IN (${list})`,
      [scope.accountId, scope.region],
      ids,
    );
    return rows.map((r) => r.id);
  }

  /** Inserts findings and adds them to their tasks' counts (audit_finding_counts), in the caller's transaction. */
  async insertMany(scope: Scope, rows: readonly FindingRow[]): Promise<void> {
    await insertRows(
      this.db,
      'audit_findings',
      ['account_id', 'region', ...FINDING_COLUMNS],
      rows.map((r) => [scope.accountId, scope.region, ...FINDING_COLUMNS.map((c) => r[c])]),
    );
    const counts = new Map<string, { task: string; check: string; reason: string; suppressed: number; n: number }>();
    for (const r of rows) {
      const reason = r.reason_code ?? '';
      const suppressed = Number(r.is_suppressed) ? 1 : 0;
      const k = `${r.task_id}\n${r.check_name}\n${reason}\n${suppressed}`;
      const c = counts.get(k);
      if (c) c.n++;
      else counts.set(k, { task: r.task_id, check: r.check_name, reason, suppressed, n: 1 });
    }
    for (const c of counts.values()) {
      await this.db.run(
        `INSERT INTO audit_finding_counts (account_id, region, task_id, check_name, reason_code, is_suppressed, n) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, region, task_id, check_name, reason_code, is_suppressed) DO UPDATE SET n = audit_finding_counts.n + excluded.n`,
        [scope.accountId, scope.region, c.task, c.check, c.reason, c.suppressed, c.n],
      );
    }
  }

  /** The finding counts of one audit task by check, reason code ('' for none) and suppression. */
  async counts(scope: Scope, taskId: string): Promise<{ check_name: string; reason_code: string; is_suppressed: number; n: number }[]> {
    return this.db.all(
      'SELECT check_name, reason_code, is_suppressed, n FROM audit_finding_counts WHERE account_id = ? AND region = ? AND task_id = ?',
      [scope.accountId, scope.region, taskId],
    );
  }

  /** One keyset page (one row more than `limit`, so the caller knows whether more follow). */
  async list(scope: Scope, f: FindingFilter, from: FindingPosition | undefined, limit: number): Promise<FindingRow[]> {
    const where = ['account_id = ?', 'region = ?'];
    const params: unknown[] = [scope.accountId, scope.region];
    const add = (sql: string, ...values: unknown[]): void => {
      where.push(sql);
      params.push(...values);
    };
    if (f.taskId !== undefined) add('task_id = ?', f.taskId);
    if (f.checkName !== undefined) add('check_name = ?', f.checkName);
    if (f.resourceIdentifier !== undefined) add('resource_identifier = ?', f.resourceIdentifier);
    if (f.window) add('finding_time >= ? AND finding_time <= ?', f.window.start, f.window.end);
    if (f.suppressed !== undefined) add('is_suppressed = ?', f.suppressed ? 1 : 0);
    const byTask = f.taskId !== undefined;
    const order = byTask ? ['check_name', 'finding_id'] : ['finding_time', 'finding_id'];
    if (from) {
      const k = after(order, 'c' in from ? [from.c, from.f] : [from.t, from.f], !byTask);
      add(k.sql, ...k.params);
    }
    const dir = byTask ? '' : ' DESC';
    return this.db.all<FindingRow>(
      `SELECT ${SELECT} FROM audit_findings WHERE ${where.join(' AND ')} ORDER BY ${order.map((c) => c + dir).join(', ')} LIMIT ?`,
      [...params, limit + 1],
    );
  }

  /**
   * Deletes audit tasks that started before `cutoff` with all their findings, a chunk at a time
   * (findings first, the task last, so an interrupted purge resumes). Answers the findings deleted.
   */
  async purge(cutoff: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const tasks = await this.db.all<{ account_id: string; region: string; task_id: string }>(
        'SELECT account_id, region, task_id FROM audit_tasks WHERE task_start_time < ? LIMIT 100',
        [cutoff],
      );
      if (!tasks.length) return deleted;
      for (const t of tasks) {
        const key = [t.account_id, t.region];
        // Ids first, then a delete by key: a DELETE ... IN (subquery) can get a nested-loop plan
        // on PostgreSQL when the table's statistics are stale (right after a bulk insert).
        for (;;) {
          const ids = await this.db.all<{ id: string }>(
            `SELECT finding_id AS id FROM audit_findings WHERE account_id = ? AND region = ? AND task_id = ? LIMIT ${PURGE_CHUNK}`,
            [...key, t.task_id],
          );
          await inChunks(
            ids.map((r) => r.id),
            async (list, chunk) => void (deleted += await this.db.run(`DELETE FROM audit_findings WHERE account_id = ? AND region = ? AND finding_id IN (${list})`, [...key, ...chunk])),
          );
          if (ids.length < PURGE_CHUNK) break;
        }
        await this.db.run('DELETE FROM audit_task_checks WHERE account_id = ? AND region = ? AND task_id = ?', [...key, t.task_id]);
        await this.db.run('DELETE FROM audit_finding_counts WHERE account_id = ? AND region = ? AND task_id = ?', [...key, t.task_id]);
        await this.db.run('DELETE FROM audit_tasks WHERE account_id = ? AND region = ? AND task_id = ?', [...key, t.task_id]);
      }
    }
  }
}
