import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { all, insertRows, prepared, qb, run, selectIn } from './sql.js';

/** The evaluation state of one thing under one security profile (migration 013). */
export interface DetectStateRecord {
  thingName: string;
  profileName: string;
  /** Per behavior name: what the evaluation keeps (JSON-serialisable, owned by src/detect). */
  states: Record<string, unknown>;
  /** How many of the behaviors have an open violation. */
  active: number;
  lastReportAt: Date;
}

/** A state row with its scope (the invalidation sweep reads across scopes). */
export interface ScopedDetectState extends DetectStateRecord {
  scope: Scope;
}

const COLUMNS = ['account_id', 'region', 'thing_name', 'profile_name', 'states', 'active', 'last_report_at'] as const;

const fromRow = (r: { thing_name: string; profile_name: string; states: string; active: number; last_report_at: number }): DetectStateRecord => ({
  thingName: r.thing_name,
  profileName: r.profile_name,
  states: JSON.parse(r.states) as Record<string, unknown>,
  active: Number(r.active),
  lastReportAt: new Date(Number(r.last_report_at)),
});

const silentSince = prepared((q, before: number, limit: number) =>
  q.selectFrom('detect_states').select(COLUMNS).where('active', '>', 0).where('last_report_at', '<', before).orderBy('last_report_at').limit(limit),
);

const ofProfile = prepared((q, accountId: string, region: string, profileName: string) =>
  q.selectFrom('detect_states').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('profile_name', '=', profileName),
);

/** Detect's per-thing evaluation state and the per-period values of statistical behaviors. */
export class DetectStateRepo {
  constructor(private readonly db: Driver) {}

  /** The states of these things (under any profile), in one query per chunk of names. */
  async ofThings(scope: Scope, thingNames: readonly string[]): Promise<DetectStateRecord[]> {
    const rows = await selectIn(this.db, thingNames, (chunk) =>
      qb(this.db).selectFrom('detect_states').select(COLUMNS).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('thing_name', 'in', chunk),
    );
    return rows.map(fromRow);
  }

  /**
   * Which of these names are registered things, and the thing groups each is in with every
   * ancestor of those groups (from the groups' paths): what decides the security profiles that
   * apply to a device. Two queries per chunk of names.
   */
  async membership(scope: Scope, thingNames: readonly string[]): Promise<Map<string, { registered: boolean; groups: Set<string> }>> {
    const q = qb(this.db);
    const out = new Map<string, { registered: boolean; groups: Set<string> }>();
    for (const n of thingNames) out.set(n, { registered: false, groups: new Set() });
    const registered = await selectIn(this.db, thingNames, (chunk) =>
      q.selectFrom('things').select('name').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', 'in', chunk),
    );
    for (const r of registered) out.get(r.name)!.registered = true;
    const groups = await selectIn(this.db, thingNames, (chunk) =>
      q
        .selectFrom('thing_group_members as m')
        .innerJoin('thing_groups as g', (j) => j.onRef('g.account_id', '=', 'm.account_id').onRef('g.region', '=', 'm.region').onRef('g.name', '=', 'm.group_name'))
        .select(['m.thing_name', 'g.path'])
        .where('m.account_id', '=', scope.accountId)
        .where('m.region', '=', scope.region)
        .where('m.thing_name', 'in', chunk),
    );
    for (const r of groups) {
      const set = out.get(r.thing_name)!.groups;
      for (const name of r.path.split('/')) if (name) set.add(name);
    }
    return out;
  }

  /** Every thing's state under one profile (a profile's behaviors changed, or it was detached). */
  async ofProfile(scope: Scope, profileName: string): Promise<DetectStateRecord[]> {
    return (await ofProfile(this.db, scope.accountId, scope.region, profileName).all()).map(fromRow);
  }

  /** States with an open violation whose thing has not reported since `before`, oldest first. */
  async silentSince(before: Date, limit: number): Promise<ScopedDetectState[]> {
    const rows = await silentSince(this.db, before.getTime(), limit).all();
    return rows.map((r) => ({ ...fromRow(r), scope: { accountId: r.account_id, region: r.region } }));
  }

  /** Writes the states (insert or replace), in multi-row statements. */
  async save(scope: Scope, records: readonly DetectStateRecord[]): Promise<void> {
    await insertRows(
      this.db,
      'detect_states',
      records.map((r) => ({
        account_id: scope.accountId,
        region: scope.region,
        thing_name: r.thingName,
        profile_name: r.profileName,
        states: JSON.stringify(r.states),
        active: r.active,
        last_report_at: r.lastReportAt.getTime(),
      })),
      (q) =>
        q.onConflict((oc) =>
          oc.columns(['account_id', 'region', 'thing_name', 'profile_name']).doUpdateSet((eb) => ({
            states: eb.ref('excluded.states'),
            active: eb.ref('excluded.active'),
            last_report_at: eb.ref('excluded.last_report_at'),
          })),
        ),
    );
  }

  /** Forgets a profile's states (the profile was deleted). */
  async deleteProfile(scope: Scope, profileName: string): Promise<void> {
    await run(
      this.db,
      qb(this.db).deleteFrom('detect_states').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('profile_name', '=', profileName),
    );
  }

  /** Records the value each thing had in a period for a statistical behavior (a later value replaces an earlier one). */
  async addPeriodValues(scope: Scope, rows: readonly { profileName: string; behaviorName: string; periodStart: number; thingName: string; value: number }[]): Promise<void> {
    await insertRows(
      this.db,
      'detect_period_values',
      rows.map((r) => ({
        account_id: scope.accountId,
        region: scope.region,
        profile_name: r.profileName,
        behavior_name: r.behaviorName,
        period_start: r.periodStart,
        thing_name: r.thingName,
        value: r.value,
      })),
      (q) =>
        q.onConflict((oc) =>
          oc.columns(['account_id', 'region', 'profile_name', 'behavior_name', 'period_start', 'thing_name']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
        ),
    );
  }

  /** The values of one statistical behavior in the periods starting in [from, to), by thing. */
  async periodValues(scope: Scope, profileName: string, behaviorName: string, from: number, to: number): Promise<{ thingName: string; periodStart: number; value: number }[]> {
    const rows = await all(
      this.db,
      qb(this.db)
        .selectFrom('detect_period_values')
        .select(['thing_name', 'period_start', 'value'])
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('profile_name', '=', profileName)
        .where('behavior_name', '=', behaviorName)
        .where('period_start', '>=', from)
        .where('period_start', '<', to),
    );
    return rows.map((r) => ({ thingName: r.thing_name, periodStart: Number(r.period_start), value: Number(r.value) }));
  }

  /** Deletes period values of periods that started before `before`; answers how many. */
  async purgePeriodValues(before: number): Promise<number> {
    return run(this.db, qb(this.db).deleteFrom('detect_period_values').where('period_start', '<', before));
  }
}
