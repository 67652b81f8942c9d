import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { all, prepared, qb, type Compiled } from './sql.js';

/**
 * The kinds of resource whose existence policies and tags check, with the table and key column
 * that hold them. Table and column names come from this fixed list, never from a request.
 */
const KEYED = {
  certificate: ['certificates', 'certificate_id'],
  caCertificate: ['ca_certificates', 'certificate_id'],
  thingGroup: ['thing_groups', 'name'],
  thingType: ['thing_types', 'name'],
  thing: ['things', 'name'],
  mitigationAction: ['mitigation_actions', 'name'],
  policy: ['policies', 'name'],
  roleAlias: ['role_aliases', 'alias'],
  scheduledAudit: ['scheduled_audits', 'name'],
  billingGroup: ['billing_groups', 'name'],
  securityProfile: ['security_profiles', 'name'],
  dimension: ['dimensions', 'name'],
  customMetric: ['custom_metrics', 'name'],
} as const;

export type ResourceKind = keyof typeof KEYED;

/** Thing group hierarchies are at most 7 deep in AWS; the walk stops well beyond that even on a cycle. */
const MAX_DEPTH = 32;

export interface GroupRef {
  name: string;
  arn: string;
}

/** One prepared existence probe per kind (tags and policy targets check one per request). */
const existsIn = Object.fromEntries(
  (Object.keys(KEYED) as ResourceKind[]).map((kind) => [
    kind,
    prepared((q, accountId: string, region: string, key: string) =>
      q
        .selectFrom(KEYED[kind][0])
        .select((eb) => eb.lit(1).as('x'))
        .where('account_id', '=', accountId)
        .where('region', '=', region)
        .where((eb) => eb(eb.ref(KEYED[kind][1] as never), '=', key as never)),
    ),
  ]),
) as Record<ResourceKind, (db: Driver, accountId: string, region: string, key: string) => Compiled<{ x: 1 }>>;

export class RegistryLookupRepo {
  constructor(private readonly db: Driver) {}

  /** Whether a resource of this kind with this name or id exists in the scope. */
  async exists(scope: Scope, kind: ResourceKind, key: string): Promise<boolean> {
    return (await existsIn[kind](this.db, scope.accountId, scope.region, key).first()) !== undefined;
  }

  /**
   * The given thing groups (or the groups `thing` belongs to) and all their ancestors up the
   * hierarchy (thing_groups.parent_name), each once.
   */
  async groupsWithAncestors(scope: Scope, seed: { groups: string[] } | { thing: string }): Promise<GroupRef[]> {
    if ('groups' in seed && seed.groups.length === 0) return [];
    const query = qb(this.db)
      .withRecursive('chain(name, arn, parent_name, depth)', (q) =>
        q
          .selectFrom('thing_groups')
          .select((eb) => ['name', 'arn', 'parent_name', eb.lit(0).as('depth')])
          .where('account_id', '=', scope.accountId)
          .where('region', '=', scope.region)
          .where(
            'name',
            'in',
            'thing' in seed
              ? q
                  .selectFrom('thing_group_members')
                  .select('group_name')
                  .where('account_id', '=', scope.accountId)
                  .where('region', '=', scope.region)
                  .where('thing_name', '=', seed.thing)
              : seed.groups,
          )
          .unionAll((u) =>
            u
              .selectFrom('thing_groups as g')
              .innerJoin('chain as c', 'g.name', 'c.parent_name')
              .select((eb) => ['g.name', 'g.arn', 'g.parent_name', eb('c.depth', '+', eb.lit(1)).as('depth')])
              .where('g.account_id', '=', scope.accountId)
              .where('g.region', '=', scope.region)
              .where('c.depth', '<', MAX_DEPTH),
          ),
      )
      .selectFrom('chain')
      .select(['name', 'arn'])
      .distinct()
      .orderBy('name');
    return all(this.db, query);
  }
}
