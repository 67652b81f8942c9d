import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { ThingPrincipalsTable } from './schema.generated.js';
import { prepared, qb, run, selectIn, type Q } from './sql.js';

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

  /** The things of each of `principals`, each list in the order of byPrincipal; a principal with none is absent. */
  async thingsOfPrincipals(scope: Scope, principals: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await selectIn(this.db, [...new Set(principals)], (chunk) =>
      qb(this.db)
        .selectFrom('thing_principals')
        .select(['principal', 'thing_name'])
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('principal', 'in', chunk)
        .orderBy('principal')
        .orderBy('thing_name'),
    );
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const list = out.get(r.principal);
      if (list) list.push(r.thing_name);
      else out.set(r.principal, [r.thing_name]);
    }
    return out;
  }

  private async page(
    by: 'thing_name' | 'principal',
    value: string,
    opts: { after?: string; principalType?: string; limit: number },
    scope: Scope,
  ): Promise<ThingPrincipalRecord[]> {
    const { after, principalType: type } = opts;
    const n = opts.limit + 1;
    const rows =
      after === undefined
        ? type === undefined
          ? await pages[by].first(this.db, scope.accountId, scope.region, value, n).all()
          : await pages[by].firstTyped(this.db, scope.accountId, scope.region, value, type, n).all()
        : type === undefined
          ? await pages[by].next(this.db, scope.accountId, scope.region, value, after, n).all()
          : await pages[by].nextTyped(this.db, scope.accountId, scope.region, value, after, type, n).all();
    return rows.map(fromRow);
  }
}

/**
 * The keyset pages of a thing's principals (by thing_name, ordered by principal) or of a
 * principal's things: the first page or a later one, with or without a principal type, each
 * compiled once (the engine reads a certificate's things for every finding it acts on).
 */
function pagesBy(by: 'thing_name' | 'principal') {
  const order = by === 'thing_name' ? 'principal' : 'thing_name';
  const base = (q: Q, accountId: string, region: string, value: string) =>
    q.selectFrom('thing_principals').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where(by, '=', value).orderBy(order);
  return {
    first: prepared((q, a: string, r: string, v: string, limit: number) => base(q, a, r, v).limit(limit)),
    firstTyped: prepared((q, a: string, r: string, v: string, type: string, limit: number) => base(q, a, r, v).where('principal_type', '=', type).limit(limit)),
    next: prepared((q, a: string, r: string, v: string, after: string, limit: number) => base(q, a, r, v).where(order, '>', after).limit(limit)),
    nextTyped: prepared((q, a: string, r: string, v: string, after: string, type: string, limit: number) =>
      base(q, a, r, v).where(order, '>', after).where('principal_type', '=', type).limit(limit),
    ),
  };
}

const pages = { thing_name: pagesBy('thing_name'), principal: pagesBy('principal') };
