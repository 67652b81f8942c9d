import type { Compilable, ExpressionBuilder, Selectable } from 'kysely';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { Database, ViolationEventsTable, ViolationsTable } from './schema.generated.js';
import { after, all, inChunks, insertRows, prepared, qb, run, selectIn } from './sql.js';

/** A violation as stored: `behavior` and `lastViolationValue` are the JSON the caller gave. */
export interface ViolationRecord {
  violationId: string;
  thingName: string;
  securityProfileName: string;
  behaviorName: string;
  behavior: unknown;
  criteriaType: string;
  lastViolationValue?: unknown;
  lastViolationTime?: Date;
  violationStartTime: Date;
  /** Unset while the violation is in alarm. */
  violationEndTime?: Date;
  verificationState?: string;
  verificationStateDescription?: string;
  suppressed: boolean;
}

/** One event of a violation (in-alarm, alarm-cleared). */
export interface ViolationEventRecord {
  violationId: string;
  eventType: string;
  eventTime: Date;
  thingName: string;
  securityProfileName: string;
  behaviorName: string;
  behavior: unknown;
  criteriaType: string;
  metricValue?: unknown;
  verificationState?: string;
  verificationStateDescription?: string;
  suppressed: boolean;
}

const VIOLATION_COLUMNS = [
  'violation_id', 'thing_name', 'security_profile_name', 'behavior_name', 'behavior', 'criteria_type', 'last_violation_value',
  'last_violation_time', 'violation_start_time', 'violation_end_time', 'verification_state', 'verification_state_description', 'suppressed',
] as const;

const EVENT_COLUMNS = [
  'violation_id', 'event_type', 'event_time', 'thing_name', 'security_profile_name', 'behavior_name', 'behavior', 'criteria_type',
  'metric_value', 'verification_state', 'verification_state_description', 'suppressed',
] as const;

type ViolationRow = Pick<Selectable<ViolationsTable>, (typeof VIOLATION_COLUMNS)[number]>;
type EventRow = Pick<Selectable<ViolationEventsTable>, (typeof EVENT_COLUMNS)[number]>;

const json = (text: string | null): unknown => (text === null ? undefined : JSON.parse(text));
const date = (ms: number | null): Date | undefined => (ms === null ? undefined : new Date(Number(ms)));
const text = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

const violationFromRow = (r: ViolationRow): ViolationRecord => ({
  violationId: r.violation_id,
  thingName: r.thing_name,
  securityProfileName: r.security_profile_name,
  behaviorName: r.behavior_name,
  behavior: JSON.parse(r.behavior),
  criteriaType: r.criteria_type,
  lastViolationValue: json(r.last_violation_value),
  lastViolationTime: date(r.last_violation_time),
  violationStartTime: new Date(Number(r.violation_start_time)),
  violationEndTime: date(r.violation_end_time),
  verificationState: r.verification_state ?? undefined,
  verificationStateDescription: r.verification_state_description ?? undefined,
  suppressed: Number(r.suppressed) === 1,
});

const eventFromRow = (r: EventRow): ViolationEventRecord => ({
  violationId: r.violation_id,
  eventType: r.event_type,
  eventTime: new Date(Number(r.event_time)),
  thingName: r.thing_name,
  securityProfileName: r.security_profile_name,
  behaviorName: r.behavior_name,
  behavior: JSON.parse(r.behavior),
  criteriaType: r.criteria_type,
  metricValue: json(r.metric_value),
  verificationState: r.verification_state ?? undefined,
  verificationStateDescription: r.verification_state_description ?? undefined,
  suppressed: Number(r.suppressed) === 1,
});

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

/** The filter as conditions; violation_events has the same columns, so its queries use it too. */
function conditions(eb: ExpressionBuilder<Database, 'violations'>, scope: Scope, f: ViolationFilter) {
  return eb.and([
    eb('account_id', '=', scope.accountId),
    eb('region', '=', scope.region),
    ...(f.thingName !== undefined ? [eb('thing_name', '=', f.thingName)] : []),
    ...(f.securityProfileName !== undefined ? [eb('security_profile_name', '=', f.securityProfileName)] : []),
    ...(f.criteriaType !== undefined ? [eb('criteria_type', '=', f.criteriaType)] : []),
    ...(f.verificationState === 'UNKNOWN'
      ? [eb.or([eb('verification_state', 'is', null), eb('verification_state', '=', 'UNKNOWN')])]
      : f.verificationState !== undefined
        ? [eb('verification_state', '=', f.verificationState)]
        : []),
    ...(!f.includeSuppressed ? [eb('suppressed', '=', 0)] : []),
  ]);
}

const byId = prepared((q, accountId: string, region: string, violationId: string) =>
  q.selectFrom('violations').select(VIOLATION_COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('violation_id', '=', violationId),
);

const touchViolation = prepared((q, value: string | null, time: number, accountId: string, region: string, violationId: string) =>
  q
    .updateTable('violations')
    .set({ last_violation_value: value, last_violation_time: time })
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('violation_id', '=', violationId)
    .where('violation_end_time', 'is', null),
);

const endViolation = prepared((q, end: number, accountId: string, region: string, violationId: string) =>
  q
    .updateTable('violations')
    .set({ violation_end_time: end })
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('violation_id', '=', violationId)
    .where('violation_end_time', 'is', null),
);

/** Groups keyed rows by their (account_id, region) scope. */
function byScope<T extends { account_id: string; region: string }>(rows: readonly T[]): { scope: Scope; rows: T[] }[] {
  const groups = new Map<string, { scope: Scope; rows: T[] }>();
  for (const r of rows) {
    const k = `${r.account_id}/${r.region}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { scope: { accountId: r.account_id, region: r.region }, rows: [] }));
    g.rows.push(r);
  }
  return [...groups.values()];
}

export class ViolationRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, violationId: string): Promise<ViolationRecord | undefined> {
    const row = await byId(this.db, scope.accountId, scope.region, violationId).first();
    return row && violationFromRow(row);
  }

  /** Violations by id, in one query per chunk (a batch of the engine's subjects); ids that do not exist are left out. */
  async byIds(scope: Scope, ids: readonly string[]): Promise<ViolationRecord[]> {
    const q = qb(this.db);
    const rows = await selectIn(this.db, ids, (chunk) =>
      q.selectFrom('violations').select(VIOLATION_COLUMNS).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('violation_id', 'in', chunk),
    );
    return rows.map(violationFromRow);
  }

  /** Which of `ids` already exist in this scope. */
  async existing(scope: Scope, ids: readonly string[]): Promise<string[]> {
    const q = qb(this.db);
    const rows = await selectIn(this.db, ids, (chunk) =>
      q.selectFrom('violations').select('violation_id as id').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('violation_id', 'in', chunk),
    );
    return rows.map((r) => r.id);
  }

  async insertMany(scope: Scope, violations: readonly ViolationRecord[], events: readonly ViolationEventRecord[]): Promise<void> {
    // Rows written out in full: a row built by spreading a shared key is many times slower to make.
    await insertRows(
      this.db,
      'violations',
      violations.map((v) => ({
        account_id: scope.accountId,
        region: scope.region,
        violation_id: v.violationId,
        thing_name: v.thingName,
        security_profile_name: v.securityProfileName,
        behavior_name: v.behaviorName,
        behavior: JSON.stringify(v.behavior),
        criteria_type: v.criteriaType,
        last_violation_value: text(v.lastViolationValue),
        last_violation_time: v.lastViolationTime?.getTime() ?? null,
        violation_start_time: v.violationStartTime.getTime(),
        violation_end_time: v.violationEndTime?.getTime() ?? null,
        verification_state: v.verificationState ?? null,
        verification_state_description: v.verificationStateDescription ?? null,
        suppressed: v.suppressed ? 1 : 0,
      })),
    );
    await insertRows(
      this.db,
      'violation_events',
      events.map((e) => ({
        account_id: scope.accountId,
        region: scope.region,
        violation_id: e.violationId,
        event_type: e.eventType,
        event_time: e.eventTime.getTime(),
        thing_name: e.thingName,
        security_profile_name: e.securityProfileName,
        behavior_name: e.behaviorName,
        behavior: JSON.stringify(e.behavior),
        criteria_type: e.criteriaType,
        metric_value: text(e.metricValue),
        verification_state: e.verificationState ?? null,
        verification_state_description: e.verificationStateDescription ?? null,
        suppressed: e.suppressed ? 1 : 0,
      })),
    );
  }

  /** Active violations newest first (start time, then id, descending); one row more than `limit`. */
  async listActive(scope: Scope, f: ViolationFilter, from: { t: number; v: string } | undefined, limit: number): Promise<ViolationRecord[]> {
    const query = qb(this.db)
      .selectFrom('violations')
      .select(VIOLATION_COLUMNS)
      .where((eb) => conditions(eb, scope, f))
      .where('violation_end_time', 'is', null)
      .$if(from !== undefined, (w) => w.where((eb) => after(eb, ['violation_start_time', 'violation_id'], [from!.t, from!.v], true)))
      .orderBy('violation_start_time', 'desc')
      .orderBy('violation_id', 'desc')
      .limit(limit + 1);
    return (await all(this.db, query)).map(violationFromRow);
  }

  /** Events in [start, end], newest first (time, violation, type descending); one row more than `limit`. */
  async listEvents(
    scope: Scope,
    f: ViolationFilter & { start: number; end: number },
    from: { t: number; v: string; e: string } | undefined,
    limit: number,
  ): Promise<ViolationEventRecord[]> {
    const query = qb(this.db)
      .selectFrom('violation_events')
      .select(EVENT_COLUMNS)
      .where((eb) => conditions(eb as unknown as ExpressionBuilder<Database, 'violations'>, scope, f))
      .where('event_time', '>=', f.start)
      .where('event_time', '<=', f.end)
      .$if(from !== undefined, (w) => w.where((eb) => after(eb, ['event_time', 'violation_id', 'event_type'], [from!.t, from!.v, from!.e], true)))
      .orderBy('event_time', 'desc')
      .orderBy('violation_id', 'desc')
      .orderBy('event_type', 'desc')
      .limit(limit + 1);
    return (await all(this.db, query)).map(eventFromRow);
  }

  /** Detect's evaluation: a newer violating value of an open violation. */
  async touch(scope: Scope, violationId: string, value: unknown, time: Date): Promise<void> {
    await touchViolation(this.db, text(value), time.getTime(), scope.accountId, scope.region, violationId).run();
  }

  /** Detect's evaluation: an open violation ends (alarm-cleared, alarm-invalidated). */
  async end(scope: Scope, violationId: string, at: Date): Promise<void> {
    await endViolation(this.db, at.getTime(), scope.accountId, scope.region, violationId).run();
  }

  /** Sets the verification state on a violation and its events; false when there is no such violation. */
  async setVerification(scope: Scope, violationId: string, state: string, description: string | null): Promise<boolean> {
    const q = qb(this.db);
    const set = { verification_state: state, verification_state_description: description };
    const key = { account_id: scope.accountId, region: scope.region, violation_id: violationId };
    const n = await run(this.db, q.updateTable('violations').set(set).where((eb) => eb.and(key)));
    if (n) await run(this.db, q.updateTable('violation_events').set(set).where((eb) => eb.and(key)));
    return n > 0;
  }

  /**
   * Deletes events older than `cutoff` and violations that ended before it, a chunk at a time:
   * keys first (through the age indexes), then deletes by key in each scope.
   */
  async purge(cutoff: number): Promise<number> {
    const q = qb(this.db);
    let deleted = 0;
    type Key = { account_id: string; region: string; violation_id: string };
    const sweep = async (keys: Compilable<Key>, del: (scope: Scope, ids: string[]) => Compilable<unknown>): Promise<void> => {
      for (;;) {
        const rows = await all(this.db, keys);
        for (const { scope, rows: some } of byScope(rows)) {
          const ids = [...new Set(some.map((r) => r.violation_id))];
          await inChunks(ids, async (chunk) => void (deleted += await run(this.db, del(scope, chunk))));
        }
        if (rows.length < PURGE_CHUNK) return;
      }
    };
    await sweep(
      q.selectFrom('violation_events').select(['account_id', 'region', 'violation_id']).where('event_time', '<', cutoff).limit(PURGE_CHUNK),
      (scope, ids) =>
        q.deleteFrom('violation_events').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('violation_id', 'in', ids).where('event_time', '<', cutoff),
    );
    await sweep(
      q.selectFrom('violations').select(['account_id', 'region', 'violation_id']).where('violation_end_time', '<', cutoff).limit(PURGE_CHUNK),
      (scope, ids) =>
        q.deleteFrom('violations').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('violation_id', 'in', ids).where('violation_end_time', '<', cutoff),
    );
    return deleted;
  }
}
