import type { Selectable } from 'kysely';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { SecurityProfilesTable } from './schema.generated.js';
import { after, all, first, insertRows, prepared, qb, run } from './sql.js';

/**
 * A security profile as stored. The JSON members are the API's shapes as the caller gave them
 * (the store does not know them: src/detect reads them as Behavior, AlertTargets and so on).
 */
export interface SecurityProfileRecord {
  name: string;
  arn: string;
  description?: string;
  behaviors: unknown[];
  alertTargets?: object;
  additionalMetricsToRetainV2?: unknown[];
  metricsExportConfig?: object;
  version: number;
  createdAt: Date;
  lastModifiedAt: Date;
}

/** A metric or a dimension that a profile's behaviors or retained metrics name. */
export interface ProfileUse {
  kind: 'metric' | 'dimension';
  name: string;
}

/** One attachment: a profile (with its ARN) and one of its targets. */
export interface ProfileTargetMapping {
  profileName: string;
  profileArn: string;
  targetArn: string;
}

const COLUMNS = [
  'name', 'arn', 'description', 'behaviors', 'alert_targets', 'additional_metrics', 'metrics_export_config', 'version', 'created_at', 'modified_at',
] as const;
type Row = Pick<Selectable<SecurityProfilesTable>, (typeof COLUMNS)[number]>;

const json = <T>(text: string | null): T | undefined => (text === null ? undefined : (JSON.parse(text) as T));
const text = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

const fromRow = (r: Row): SecurityProfileRecord => ({
  name: r.name,
  arn: r.arn,
  description: r.description ?? undefined,
  behaviors: JSON.parse(r.behaviors) as unknown[],
  alertTargets: json(r.alert_targets),
  additionalMetricsToRetainV2: json(r.additional_metrics),
  metricsExportConfig: json(r.metrics_export_config),
  version: Number(r.version),
  createdAt: new Date(Number(r.created_at)),
  lastModifiedAt: new Date(Number(r.modified_at)),
});

const columnsOf = (p: SecurityProfileRecord) => ({
  description: p.description ?? null,
  behaviors: JSON.stringify(p.behaviors),
  alert_targets: text(p.alertTargets),
  additional_metrics: text(p.additionalMetricsToRetainV2),
  metrics_export_config: text(p.metricsExportConfig),
  version: p.version,
  modified_at: p.lastModifiedAt.getTime(),
});

/** Thing group hierarchies are at most 7 deep in AWS; the walk stops well beyond that even on a cycle. */
const MAX_DEPTH = 32;

const byName = prepared((q, accountId: string, region: string, name: string) =>
  q.selectFrom('security_profiles').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name),
);

const profilesOfTarget = prepared((q, accountId: string, region: string, targetArn: string) =>
  q
    .selectFrom('security_profile_targets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('target_arn', '=', targetArn),
);

/**
 * The profiles that apply to a thing, in one statement (it runs for every metrics report): those
 * attached to the thing's groups or any of their ancestors (a recursive walk up parent_name from
 * the thing's memberships, static and dynamic), and those attached to the two `all/` targets given
 * (all/things and all/registered-things, or all/unregistered-things).
 */
const applicableTo = prepared((q, accountId: string, region: string, thingName: string, allArn: string, classArn: string) =>
  q
    .withRecursive('chain(name, arn, parent_name, depth)', (w) =>
      w
        .selectFrom('thing_groups')
        .select((eb) => ['name', 'arn', 'parent_name', eb.lit(0).as('depth')])
        .where('account_id', '=', accountId)
        .where('region', '=', region)
        .where('name', 'in', (s) =>
          s.selectFrom('thing_group_members').select('group_name').where('account_id', '=', accountId).where('region', '=', region).where('thing_name', '=', thingName),
        )
        .unionAll((u) =>
          u
            .selectFrom('thing_groups as g')
            .innerJoin('chain as c', 'g.name', 'c.parent_name')
            .select((eb) => ['g.name', 'g.arn', 'g.parent_name', eb('c.depth', '+', eb.lit(1)).as('depth')])
            .where('g.account_id', '=', accountId)
            .where('g.region', '=', region)
            .where('c.depth', '<', MAX_DEPTH),
        ),
    )
    .selectFrom('security_profiles as p')
    .select(COLUMNS.map((c) => `p.${c}` as const))
    .where('p.account_id', '=', accountId)
    .where('p.region', '=', region)
    .where('p.name', 'in', (s) =>
      s
        .selectFrom('security_profile_targets as t')
        .select('t.profile_name')
        .where('t.account_id', '=', accountId)
        .where('t.region', '=', region)
        .where((eb) => eb.or([eb('t.target_arn', '=', allArn), eb('t.target_arn', '=', classArn), eb('t.target_arn', 'in', eb.selectFrom('chain').select('chain.arn'))])),
    )
    .orderBy('p.name'),
);

/** Security profiles, the metrics and dimensions they name, and their targets. */
export class SecurityProfileRepo {
  constructor(private readonly db: Driver) {}

  /** Every attached profile of the scope with its targets (what Detect's evaluation reads, once per scope and second). */
  async attached(scope: Scope): Promise<{ profile: SecurityProfileRecord; targets: string[] }[]> {
    const q = qb(this.db);
    // One after the other: inside a transaction both go through its one connection.
    const profiles = await all(this.db, q.selectFrom('security_profiles').select(COLUMNS).where('account_id', '=', scope.accountId).where('region', '=', scope.region));
    const targets = await all(this.db, q.selectFrom('security_profile_targets').select(['profile_name', 'target_arn']).where('account_id', '=', scope.accountId).where('region', '=', scope.region));
    const byProfile = new Map<string, string[]>();
    for (const t of targets) byProfile.set(t.profile_name, [...(byProfile.get(t.profile_name) ?? []), t.target_arn]);
    return profiles.filter((p) => byProfile.has(p.name)).map((p) => ({ profile: fromRow(p), targets: byProfile.get(p.name)! }));
  }

  async get(scope: Scope, name: string): Promise<SecurityProfileRecord | undefined> {
    const row = await byName(this.db, scope.accountId, scope.region, name).first();
    return row && fromRow(row);
  }

  /** Inserts the profile with what it uses unless the name is taken; false when it is. */
  async insert(scope: Scope, p: SecurityProfileRecord, uses: ProfileUse[]): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .insertInto('security_profiles')
        .values({ account_id: scope.accountId, region: scope.region, name: p.name, arn: p.arn, created_at: p.createdAt.getTime(), ...columnsOf(p) })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing()),
    );
    if (n === 0) return false;
    await this.writeUses(scope, p.name, uses);
    return true;
  }

  /** Writes every member but the name, ARN and creation date, and replaces what the profile uses. */
  async update(scope: Scope, p: SecurityProfileRecord, uses: ProfileUse[]): Promise<void> {
    await run(
      this.db,
      qb(this.db).updateTable('security_profiles').set(columnsOf(p)).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', '=', p.name),
    );
    await this.deleteUses(scope, p.name);
    await this.writeUses(scope, p.name, uses);
  }

  /** Deletes the profile, what it uses and its attachments. */
  async delete(scope: Scope, name: string): Promise<void> {
    const q = qb(this.db);
    await this.deleteUses(scope, name);
    await run(this.db, q.deleteFrom('security_profile_targets').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('profile_name', '=', name));
    await run(this.db, q.deleteFrom('security_profiles').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', '=', name));
  }

  private async deleteUses(scope: Scope, name: string): Promise<void> {
    await run(
      this.db,
      qb(this.db).deleteFrom('security_profile_uses').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('profile_name', '=', name),
    );
  }

  private async writeUses(scope: Scope, name: string, uses: ProfileUse[]): Promise<void> {
    const distinct = [...new Map(uses.map((u) => [`${u.kind}\u0000${u.name}`, u])).values()];
    const rows = distinct.map((u) => ({ account_id: scope.accountId, region: scope.region, profile_name: name, kind: u.kind, used_name: u.name }));
    await insertRows(this.db, 'security_profile_uses', rows);
  }

  /** Keyset page of names and ARNs in name order, optionally only profiles that use a metric or a dimension; one more than `limit`. */
  async list(scope: Scope, f: { using?: ProfileUse; afterName?: string; limit: number }): Promise<{ name: string; arn: string }[]> {
    const query = qb(this.db)
      .selectFrom('security_profiles')
      .select(['name', 'arn'])
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(f.using !== undefined, (w) =>
        w.where('name', 'in', (s) =>
          s
            .selectFrom('security_profile_uses')
            .select('profile_name')
            .where('account_id', '=', scope.accountId)
            .where('region', '=', scope.region)
            .where('kind', '=', f.using!.kind)
            .where('used_name', '=', f.using!.name),
        ),
      )
      .$if(f.afterName !== undefined, (w) => w.where('name', '>', f.afterName!))
      .orderBy('name')
      .limit(f.limit + 1);
    return all(this.db, query);
  }

  /** The name of one profile that uses the metric or dimension, if any. */
  async userOf(scope: Scope, use: ProfileUse): Promise<string | undefined> {
    const row = await first(
      this.db,
      qb(this.db)
        .selectFrom('security_profile_uses')
        .select('profile_name')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('kind', '=', use.kind)
        .where('used_name', '=', use.name)
        .orderBy('profile_name')
        .limit(1),
    );
    return row?.profile_name;
  }

  /** Attaches the profile to the target; false when it already was. */
  async attach(scope: Scope, profileName: string, targetArn: string, at: Date): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .insertInto('security_profile_targets')
        .values({ account_id: scope.accountId, region: scope.region, profile_name: profileName, target_arn: targetArn, created_at: at.getTime() })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'profile_name', 'target_arn']).doNothing()),
    );
    return n > 0;
  }

  /** Detaches the profile from the target; false when it was not attached. */
  async detach(scope: Scope, profileName: string, targetArn: string): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .deleteFrom('security_profile_targets')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('profile_name', '=', profileName)
        .where('target_arn', '=', targetArn),
    );
    return n > 0;
  }

  /** Whether the profile is attached to the target. */
  async isAttached(scope: Scope, profileName: string, targetArn: string): Promise<boolean> {
    const row = await first(
      this.db,
      qb(this.db)
        .selectFrom('security_profile_targets')
        .select('created_at')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('profile_name', '=', profileName)
        .where('target_arn', '=', targetArn),
    );
    return row !== undefined;
  }

  /** How many profiles are attached to the target. */
  async countOfTarget(scope: Scope, targetArn: string): Promise<number> {
    return Number((await profilesOfTarget(this.db, scope.accountId, scope.region, targetArn).first())?.n ?? 0);
  }

  /** Keyset page of a profile's target ARNs in code-point order; one more than `limit`. */
  async targetsOf(scope: Scope, profileName: string, afterArn: string | undefined, limit: number): Promise<string[]> {
    const query = qb(this.db)
      .selectFrom('security_profile_targets')
      .select('target_arn')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('profile_name', '=', profileName)
      .$if(afterArn !== undefined, (w) => w.where('target_arn', '>', afterArn!))
      .orderBy('target_arn')
      .limit(limit + 1);
    return (await all(this.db, query)).map((r) => r.target_arn);
  }

  /**
   * Keyset page of the attachments to any of `targetArns`, in (profile name, target ARN) order,
   * each with the profile's ARN; one more than `limit`.
   */
  async mappingsOf(scope: Scope, targetArns: string[], afterKey: [string, string] | undefined, limit: number): Promise<ProfileTargetMapping[]> {
    if (targetArns.length === 0) return [];
    const query = qb(this.db)
      .selectFrom('security_profile_targets as t')
      .innerJoin('security_profiles as p', (j) => j.onRef('p.account_id', '=', 't.account_id').onRef('p.region', '=', 't.region').onRef('p.name', '=', 't.profile_name'))
      .select(['t.profile_name', 'p.arn', 't.target_arn'])
      .where('t.account_id', '=', scope.accountId)
      .where('t.region', '=', scope.region)
      .where('t.target_arn', 'in', targetArns)
      .$if(afterKey !== undefined, (w) => w.where((eb) => after(eb, ['t.profile_name', 't.target_arn'], afterKey!, false)))
      .orderBy('t.profile_name')
      .orderBy('t.target_arn')
      .limit(limit + 1);
    return (await all(this.db, query)).map((r) => ({ profileName: r.profile_name, profileArn: r.arn, targetArn: r.target_arn }));
  }

  /**
   * The profiles that apply to a thing, in name order, each once: attached to one of its groups or
   * their ancestors, to `allArn` (all/things) or to `classArn` (all/registered-things or
   * all/unregistered-things).
   */
  async applicableTo(scope: Scope, thingName: string, allArn: string, classArn: string): Promise<SecurityProfileRecord[]> {
    return (await applicableTo(this.db, scope.accountId, scope.region, thingName, allArn, classArn).all()).map(fromRow);
  }
}
