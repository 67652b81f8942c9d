import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

/**
 * A scheduled_audits row (times epoch ms; checks a JSON array of check names). Integer columns
 * arrive as numbers on both backends (the PostgreSQL driver parses BIGINT to number).
 */
export interface ScheduledAuditRow {
  name: string;
  arn: string;
  frequency: string;
  day_of_month: string | null;
  day_of_week: string | null;
  checks: string;
  next_run: number;
  last_run: number | null;
  created_at: number;
  modified_at: number;
}

/** A due row, with the scope it belongs to (the scheduler works across every scope). */
export interface DueScheduledAuditRow extends ScheduledAuditRow {
  account_id: string;
  region: string;
}

const COLUMNS = 'name, arn, frequency, day_of_month, day_of_week, checks, next_run, last_run, created_at, modified_at';

export class ScheduledAuditRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<ScheduledAuditRow | undefined> {
    return this.db.get<ScheduledAuditRow>(`SELECT ${COLUMNS} FROM scheduled_audits WHERE account_id = ? AND region = ? AND name = ?`, [
      scope.accountId,
      scope.region,
      name,
    ]);
  }

  /** Every scheduled audit of the scope in name order (AWS allows at most five). */
  async all(scope: Scope): Promise<ScheduledAuditRow[]> {
    return this.db.all<ScheduledAuditRow>(`SELECT ${COLUMNS} FROM scheduled_audits WHERE account_id = ? AND region = ? ORDER BY name`, [
      scope.accountId,
      scope.region,
    ]);
  }

  async count(scope: Scope): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM scheduled_audits WHERE account_id = ? AND region = ?', [scope.accountId, scope.region]);
    return Number(row?.n ?? 0);
  }

  async insert(scope: Scope, r: ScheduledAuditRow): Promise<void> {
    await this.db.run(`INSERT INTO scheduled_audits (account_id, region, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      scope.accountId,
      scope.region,
      r.name,
      r.arn,
      r.frequency,
      r.day_of_month,
      r.day_of_week,
      r.checks,
      r.next_run,
      r.last_run,
      r.created_at,
      r.modified_at,
    ]);
  }

  /** Writes the schedule, the checks and the next run of an existing scheduled audit. */
  async update(scope: Scope, r: ScheduledAuditRow): Promise<void> {
    await this.db.run(
      'UPDATE scheduled_audits SET frequency = ?, day_of_month = ?, day_of_week = ?, checks = ?, next_run = ?, modified_at = ? WHERE account_id = ? AND region = ? AND name = ?',
      [r.frequency, r.day_of_month, r.day_of_week, r.checks, r.next_run, r.modified_at, scope.accountId, scope.region, r.name],
    );
  }

  async delete(scope: Scope, name: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM scheduled_audits WHERE account_id = ? AND region = ? AND name = ?', [scope.accountId, scope.region, name])) > 0;
  }

  /** Keyset page in name order after `afterName`; one row more than `limit` so the caller knows if more follow. */
  async page(scope: Scope, afterName: string | undefined, limit: number): Promise<ScheduledAuditRow[]> {
    const params: unknown[] = [scope.accountId, scope.region];
    let where = 'account_id = ? AND region = ?';
    if (afterName !== undefined) {
      where += ' AND name > ?';
      params.push(afterName);
    }
    params.push(limit + 1);
    return this.db.all<ScheduledAuditRow>(`SELECT ${COLUMNS} FROM scheduled_audits WHERE ${where} ORDER BY name LIMIT ?`, params);
  }

  /** Scheduled audits of every scope whose next run is at or before `now`, earliest first. */
  async due(now: number, limit: number): Promise<DueScheduledAuditRow[]> {
    return this.db.all<DueScheduledAuditRow>(
      `SELECT account_id, region, ${COLUMNS} FROM scheduled_audits WHERE next_run <= ? ORDER BY next_run, account_id, region, name LIMIT ?`,
      [now, limit],
    );
  }

  /**
   * Moves one run forward, only if its next run is still `expectedNextRun`: of two nodes that
   * saw the same due row, exactly one gets true (on PostgreSQL the second UPDATE waits for the
   * first to commit and then finds the row changed).
   */
  async claimRun(scope: Scope, name: string, expectedNextRun: number, nextRun: number, lastRun: number): Promise<boolean> {
    const n = await this.db.run('UPDATE scheduled_audits SET next_run = ?, last_run = ? WHERE account_id = ? AND region = ? AND name = ? AND next_run = ?', [
      nextRun,
      lastRun,
      scope.accountId,
      scope.region,
      name,
      expectedNextRun,
    ]);
    return n > 0;
  }
}
