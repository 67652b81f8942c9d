import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { all, first, prepared, qb, run } from './sql.js';

export interface AttachedPolicy {
  name: string;
  arn: string;
}

const attachment = prepared((q, accountId: string, region: string, policyName: string, target: string) =>
  q
    .selectFrom('policy_targets')
    .select((eb) => eb.lit(1).as('x'))
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('policy_name', '=', policyName)
    .where('target', '=', target),
);

/** Which policy is attached to which target (certificate ARN, thing group ARN or Cognito identity id). */
export class PolicyTargetRepo {
  constructor(private readonly db: Driver) {}

  async isAttached(scope: Scope, policyName: string, target: string): Promise<boolean> {
    return (await attachment(this.db, scope.accountId, scope.region, policyName, target).first()) !== undefined;
  }

  async attach(scope: Scope, policyName: string, target: string, at: Date): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('policy_targets')
        .values({ account_id: scope.accountId, region: scope.region, policy_name: policyName, target, created_at: at.getTime() })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'policy_name', 'target']).doNothing()),
    );
  }

  async detach(scope: Scope, policyName: string, target: string): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .deleteFrom('policy_targets')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('policy_name', '=', policyName)
        .where('target', '=', target),
    );
    return n > 0;
  }

  /** Removes every attachment of a target (its resource is being deleted). */
  async detachAllFrom(scope: Scope, target: string): Promise<void> {
    await run(this.db, qb(this.db).deleteFrom('policy_targets').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('target', '=', target));
  }

  async countForTarget(scope: Scope, target: string): Promise<number> {
    const query = qb(this.db)
      .selectFrom('policy_targets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('target', '=', target);
    return Number((await first(this.db, query))?.n ?? 0);
  }

  async countForPolicy(scope: Scope, policyName: string): Promise<number> {
    const query = qb(this.db)
      .selectFrom('policy_targets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('policy_name', '=', policyName);
    return Number((await first(this.db, query))?.n ?? 0);
  }

  /**
   * The distinct policies attached to any of `targets`, keyset page in name order (descending when
   * `ascending` is false), one row more than `limit`; all of them without a limit.
   */
  async policiesOf(scope: Scope, targets: string[], opts: { after?: string; ascending?: boolean; limit?: number }): Promise<AttachedPolicy[]> {
    if (targets.length === 0) return [];
    const asc = opts.ascending !== false;
    const query = qb(this.db)
      .selectFrom('policy_targets as t')
      .innerJoin('policies as p', (j) => j.onRef('p.account_id', '=', 't.account_id').onRef('p.region', '=', 't.region').onRef('p.name', '=', 't.policy_name'))
      .select(['p.name', 'p.arn'])
      .distinct()
      .where('t.account_id', '=', scope.accountId)
      .where('t.region', '=', scope.region)
      .where('t.target', 'in', targets)
      .$if(opts.after !== undefined, (w) => w.where('p.name', asc ? '>' : '<', opts.after!))
      .orderBy('p.name', asc ? 'asc' : 'desc')
      .$if(opts.limit !== undefined, (w) => w.limit(opts.limit! + 1));
    return all(this.db, query);
  }

  /** Targets of one policy, keyset page in target order, one row more than `limit`; `principalsOnly` leaves out thing groups. */
  async targetsOf(scope: Scope, policyName: string, opts: { after?: string; ascending?: boolean; limit: number; principalsOnly?: boolean }): Promise<string[]> {
    const asc = opts.ascending !== false;
    const query = qb(this.db)
      .selectFrom('policy_targets')
      .select('target')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('policy_name', '=', policyName)
      .$if(!!opts.principalsOnly, (w) => w.where('target', 'not like', 'arn:%:thinggroup/%'))
      .$if(opts.after !== undefined, (w) => w.where('target', asc ? '>' : '<', opts.after!))
      .orderBy('target', asc ? 'asc' : 'desc')
      .limit(opts.limit + 1);
    return (await all(this.db, query)).map((r) => r.target);
  }
}
