import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { after, byScope, inChunks, insertRows, selectIn } from './rows.js';

/** A violations row as stored (timestamps epoch ms, JSON as TEXT). */
export interface ViolationRow {
  violation_id: string;
  thing_name: string;
  security_profile_name: string;
  behavior_name: string;
  behavior: string;
  criteria_type: string;
  last_violation_value: string | null;
  last_violation_time: number | null;
  violation_start_time: number;
  violation_end_time: number | null;
  verification_state: string | null;
  verification_state_description: string | null;
  suppressed: number;
}

/** A violation_events row. */
export interface ViolationEventRow {
  violation_id: string;
  event_type: string;
  event_time: number;
  thing_name: string;
  security_profile_name: string;
  behavior_name: string;
  behavior: string;
  criteria_type: string;
  metric_value: string | null;
  verification_state: string | null;
  verification_state_description: string | null;
  suppressed: number;
}

export const VIOLATION_COLUMNS = [
  'violation_id', 'thing_name', 'security_profile_name', 'behavior_name', 'behavior', 'criteria_type', 'last_violation_value',
  'last_violation_time', 'violation_start_time', 'violation_end_time', 'verification_state', 'verification_state_description', 'suppressed',
] as const;

export const EVENT_COLUMNS = [
  'violation_id', 'event_type', 'event_time', 'thing_name', 'security_profile_name', 'behavior_name', 'behavior', 'criteria_type',
  'metric_value', 'verification_state', 'verification_state_description', 'suppressed',
] as const;

/** The filters ListActiveViolations and ListViolationEvents share. */
export interface ViolationFilter {
  thingName?: string;
  securityProfileName?: string;
  criteriaType?: string;
  /** UNKNOWN also matches violations nobody has verified (no state stored). */
  verificationState?: string;
  /** Suppressed alerts are left out unless true. */
  includeSuppressed?: boolean;
}

const PURGE_CHUNK = 2000;

function conditions(scope: Scope, f: ViolationFilter): { where: string[]; params: unknown[] } {
  const where = ['account_id = ?', 'region = ?'];
  const params: unknown[] = [scope.accountId, scope.region];
  const add = (sql: string, value?: unknown): void => {
    where.push(sql);
    if (value !== undefined) params.push(value);
  };
  if (f.thingName !== undefined) add('thing_name = ?', f.thingName);
  if (f.securityProfileName !== undefined) add('security_profile_name = ?', f.securityProfileName);
  if (f.criteriaType !== undefined) add('criteria_type = ?', f.criteriaType);
  if (f.verificationState === 'UNKNOWN') add("(verification_state IS NULL OR verification_state = 'UNKNOWN')");
  else if (f.verificationState !== undefined) add('verification_state = ?', f.verificationState);
  if (!f.includeSuppressed) add('suppressed = 0');
  return { where, params };
}

export class ViolationRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, violationId: string): Promise<ViolationRow | undefined> {
    return this.db.get<ViolationRow>(`SELECT ${VIOLATION_COLUMNS.join(', ')} FROM violations WHERE account_id = ? AND region = ? AND violation_id = ?`, [
      scope.accountId,
      scope.region,
      violationId,
    ]);
  }

  /** Which of `ids` already exist in this scope. */
  async existing(scope: Scope, ids: readonly string[]): Promise<string[]> {
    const rows = await selectIn<{ id: string }>(
      this.db,
      (list) => `SELECT violation_id AS id FROM violations WHERE account_id = ? AND region = ? AND violation_id IN (${list})`,
      [scope.accountId, scope.region],
      ids,
    );
    return rows.map((r) => r.id);
  }

  async insertMany(scope: Scope, rows: readonly ViolationRow[], events: readonly ViolationEventRow[]): Promise<void> {
    const values = <C extends string>(cols: readonly C[], rs: readonly Record<C, unknown>[]) => rs.map((r) => [scope.accountId, scope.region, ...cols.map((c) => r[c])]);
    await insertRows(this.db, 'violations', ['account_id', 'region', ...VIOLATION_COLUMNS], values(VIOLATION_COLUMNS, rows));
    await insertRows(this.db, 'violation_events', ['account_id', 'region', ...EVENT_COLUMNS], values(EVENT_COLUMNS, events));
  }

  /** Active violations newest first (start time, then id, descending); one row more than `limit`. */
  async listActive(scope: Scope, f: ViolationFilter, from: { t: number; v: string } | undefined, limit: number): Promise<ViolationRow[]> {
    const { where, params } = conditions(scope, f);
    where.push('violation_end_time IS NULL');
    if (from) {
      const k = after(['violation_start_time', 'violation_id'], [from.t, from.v], true);
      where.push(k.sql);
      params.push(...k.params);
    }
    return this.db.all<ViolationRow>(
      `SELECT ${VIOLATION_COLUMNS.join(', ')} FROM violations WHERE ${where.join(' AND ')} ORDER BY violation_start_time DESC, violation_id DESC LIMIT ?`,
      [...params, limit + 1],
    );
  }

  /** Events in [start, end], newest first (time, violation, type descending); one row more than `limit`. */
  async listEvents(
    scope: Scope,
    f: ViolationFilter & { start: number; end: number },
    from: { t: number; v: string; e: string } | undefined,
    limit: number,
  ): Promise<ViolationEventRow[]> {
    const { where, params } = conditions(scope, f);
    where.push('event_time >= ? AND event_time <= ?');
    params.push(f.start, f.end);
    if (from) {
      const k = after(['event_time', 'violation_id', 'event_type'], [from.t, from.v, from.e], true);
      where.push(k.sql);
      params.push(...k.params);
    }
    return this.db.all<ViolationEventRow>(
      `SELECT ${EVENT_COLUMNS.join(', ')} FROM violation_events WHERE ${where.join(' AND ')} ORDER BY event_time DESC, violation_id DESC, event_type DESC LIMIT ?`,
      [...params, limit + 1],
    );
  }

  /** Sets the verification state on a violation and its events; false when there is no such violation. */
  async setVerification(scope: Scope, violationId: string, state: string, description: string | null): Promise<boolean> {
    const key = [scope.accountId, scope.region, violationId];
    const set = 'SET verification_state = ?, verification_state_description = ? WHERE account_id = ? AND region = ? AND violation_id = ?';
    const n = await this.db.run(`UPDATE violations ${set}`, [state, description, ...key]);
    if (n) await this.db.run(`UPDATE violation_events ${set}`, [state, description, ...key]);
    return n > 0;
  }

  /**
   * Deletes events older than `cutoff` and violations that ended before it, a chunk at a time:
   * keys first (through the age indexes), then deletes by key in each scope.
   */
  async purge(cutoff: number): Promise<number> {
    let deleted = 0;
    const sweep = async (select: string, del: (list: string) => string): Promise<void> => {
      for (;;) {
        const rows = await this.db.all<{ account_id: string; region: string; violation_id: string }>(`${select} LIMIT ${PURGE_CHUNK}`, [cutoff]);
        for (const { scope, rows: some } of byScope(rows).values()) {
          const ids = [...new Set(some.map((r) => r.violation_id))];
          await inChunks(ids, async (list, chunk) => void (deleted += await this.db.run(del(list), [...scope, ...chunk, cutoff])));
        }
        if (rows.length < PURGE_CHUNK) return;
      }
    };
    await sweep(
      'SELECT account_id, region, violation_id FROM violation_events WHERE event_time < ?',
      (list) => `DELETE FROM violation_events WHERE account_id = ? AND region = ? AND violation_id IN (${list}) AND event_time < ?`,
    );
    await sweep(
      'SELECT account_id, region, violation_id FROM violations WHERE violation_end_time < ?',
      (list) => `DELETE FROM violations WHERE account_id = ? AND region = ? AND violation_id IN (${list}) AND violation_end_time < ?`,
    );
    return deleted;
  }
}
