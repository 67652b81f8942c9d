import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { ThingPrincipalsTable } from './schema.generated.js';
import { prepared, qb, run, type Q } from './sql.js';

export interface ThingPrincipalRecord {
  thingName: string;
  principal: string;
  /** EXCLUSIVE_THING or NON_EXCLUSIVE_THING. */
  principalType: string;
  createdAt: Date;
}

const COLUMNS = ['thing_name', 'principal', 'principal_type', 'created_at'] as const;
type Row = Pick<ThingPrincipalsTable, (typeof COLUMNS)[number]>;

const thingOf = prepared((q, accountId: string, region: string, thingName: string) =>
  q.selectFrom('things').select('name').where('account_id', '=', accountId).where('region', '=', region).where('name', '=', thingName),
);

const fromRow = (r: Row): ThingPrincipalRecord => ({
  thingName: r.thing_name,
  principal: r.principal,
  principalType: r.principal_type,
  createdAt: new Date(Number(r.created_at)),
});

/** Which principals (certificate ARNs, Cognito ids) are attached to which things (table `thing_principals` of the contract). */
export class ThingPrincipalRepo {
  constructor(private readonly db: Driver) {}

  /** Whether the thing exists (table `things` of the things family, by contract). */
  async thingExists(scope: Scope, thingName: string): Promise<boolean> {
    return (await thingOf(this.db, scope.accountId, scope.region, thingName).first()) !== undefined;
  }

  /** Inserts the attachment or changes its type. */
  async put(scope: Scope, r: ThingPrincipalRecord): Promise<void> {
    const query = qb(this.db)
      .insertInto('thing_principals')
      .values({ account_id: scope.accountId, region: scope.region, thing_name: r.thingName, principal: r.principal, principal_type: r.principalType, created_at: r.createdAt.getTime() })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'thing_name', 'principal']).doUpdateSet((eb) => ({ principal_type: eb.ref('excluded.principal_type') })));
    await run(this.db, query);
  }

  async delete(scope: Scope, thingName: string, principal: string): Promise<boolean> {
    const query = qb(this.db)
      .deleteFrom('thing_principals')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('thing_name', '=', thingName)
      .where('principal', '=', principal);
    return (await run(this.db, query)) > 0;
  }

  /** Principals of a thing in code-point order after `after`; limit + 1 rows. */
  async byThing(scope: Scope, thingName: string, opts: { after?: string; principalType?: string; limit: number }): Promise<ThingPrincipalRecord[]> {
    return this.page('thing_name', thingName, opts, scope);
  }

  /** Things of a principal in code-point order after `after`; limit + 1 rows. */
  async byPrincipal(scope: Scope, principal: string, opts: { after?: string; principalType?: string; limit: number }): Promise<ThingPrincipalRecord[]> {
    return this.page('principal', principal, opts, scope);
  }

  private async page(
    by: 'thing_name' | 'principal',
    value: string,
    opts: { after?: string; principalType?: string; limit: number },
    scope: Scope,
  ): Promise<ThingPrincipalRecord[]> {
    // Every name and principal is longer than '', so "after ''" is the first page.
    const after = opts.after ?? '';
    const rows =
      opts.principalType === undefined
        ? await pages[by](this.db, scope.accountId, scope.region, value, after, opts.limit + 1).all()
        : await typedPages[by](this.db, scope.accountId, scope.region, value, after, opts.principalType, opts.limit + 1).all();
    return rows.map(fromRow);
  }
}

/** One keyset page of a thing's principals (by thing_name, ordered by principal) or a principal's things. */
const pageOf = (by: 'thing_name' | 'principal') => {
  const order = by === 'thing_name' ? 'principal' : 'thing_name';
  return (q: Q, accountId: string, region: string, value: string, after: string) =>
    q
      .selectFrom('thing_principals')
      .select(COLUMNS)
      .where('account_id', '=', accountId)
      .where('region', '=', region)
      .where(by, '=', value)
      .where(order, '>', after)
      .orderBy(order);
};

const pages = {
  thing_name: prepared((q, a: string, r: string, v: string, after: string, limit: number) => pageOf('thing_name')(q, a, r, v, after).limit(limit)),
  principal: prepared((q, a: string, r: string, v: string, after: string, limit: number) => pageOf('principal')(q, a, r, v, after).limit(limit)),
};

const typedPages = {
  thing_name: prepared((q, a: string, r: string, v: string, after: string, type: string, limit: number) =>
    pageOf('thing_name')(q, a, r, v, after).where('principal_type', '=', type).limit(limit),
  ),
  principal: prepared((q, a: string, r: string, v: string, after: string, type: string, limit: number) =>
    pageOf('principal')(q, a, r, v, after).where('principal_type', '=', type).limit(limit),
  ),
};
