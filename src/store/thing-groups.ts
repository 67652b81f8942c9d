import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { ThingGroupsTable } from './schema.generated.js';
import { all, first, prepared, qb, run } from './sql.js';
import { PREFIX_UPPER, type Attributes } from './things.js';

export interface ThingGroupRecord {
  name: string;
  groupId: string;
  arn: string;
  parentName?: string;
  /** The top group of the hierarchy (the group itself for a top group). */
  rootName: string;
  /** `root/.../name/`: ancestors are its segments, descendants share it as a prefix. */
  path: string;
  /** 1 for a top group. */
  depth: number;
  isDynamic: boolean;
  description?: string;
  attributes: Attributes;
  version: number;
  queryString?: string;
  queryVersion?: string;
  indexName?: string;
  status?: string;
  createdAt: Date;
}

/** The columns a thing group record is read from. */
const COLUMNS = [
  'name',
  'group_id',
  'arn',
  'parent_name',
  'root_name',
  'path',
  'depth',
  'is_dynamic',
  'description',
  'attributes',
  'version',
  'query_string',
  'query_version',
  'index_name',
  'status',
  'created_at',
] as const;
type Row = Pick<ThingGroupsTable, (typeof COLUMNS)[number]>;

const fromRow = (r: Row): ThingGroupRecord => ({
  name: r.name,
  groupId: r.group_id,
  arn: r.arn,
  parentName: r.parent_name ?? undefined,
  rootName: r.root_name,
  path: r.path,
  depth: Number(r.depth),
  isDynamic: Number(r.is_dynamic) === 1,
  description: r.description ?? undefined,
  attributes: JSON.parse(r.attributes) as Attributes,
  version: Number(r.version),
  queryString: r.query_string ?? undefined,
  queryVersion: r.query_version ?? undefined,
  indexName: r.index_name ?? undefined,
  status: r.status ?? undefined,
  createdAt: new Date(Number(r.created_at)),
});

export interface GroupListFilter {
  /** Only direct children of this group (parentName) or every descendant (underPath). */
  parentName?: string;
  underPath?: string;
  /** Only top groups. */
  topOnly?: boolean;
  namePrefix?: string;
  afterName?: string;
  limit: number;
}

const byName = prepared((q, accountId: string, region: string, name: string) =>
  q.selectFrom('thing_groups').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name),
);

/** Run on every thing write (refreshDynamicGroupsOfThing): one index probe when the scope has none. */
const dynamicOfScope = prepared((q, accountId: string, region: string) =>
  q
    .selectFrom('thing_groups')
    .select(['name', 'query_string'])
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('is_dynamic', '=', 1)
    .orderBy('name'),
);

export class ThingGroupRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<ThingGroupRecord | undefined> {
    const row = await byName(this.db, scope.accountId, scope.region, name).first();
    return row && fromRow(row);
  }

  /** Inserts unless the name is taken; false when it is. */
  async insert(scope: Scope, g: ThingGroupRecord): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .insertInto('thing_groups')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          name: g.name,
          group_id: g.groupId,
          arn: g.arn,
          parent_name: g.parentName ?? null,
          root_name: g.rootName,
          path: g.path,
          depth: g.depth,
          is_dynamic: g.isDynamic ? 1 : 0,
          description: g.description ?? null,
          attributes: JSON.stringify(g.attributes),
          version: g.version,
          query_string: g.queryString ?? null,
          query_version: g.queryVersion ?? null,
          index_name: g.indexName ?? null,
          status: g.status ?? null,
          created_at: g.createdAt.getTime(),
        })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing()),
    );
    return n > 0;
  }

  /** Writes the mutable fields: description, attributes, version and the dynamic query. */
  async update(scope: Scope, g: ThingGroupRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .updateTable('thing_groups')
        .set({
          description: g.description ?? null,
          attributes: JSON.stringify(g.attributes),
          version: g.version,
          query_string: g.queryString ?? null,
          query_version: g.queryVersion ?? null,
          index_name: g.indexName ?? null,
          status: g.status ?? null,
        })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', '=', g.name),
    );
  }

  async delete(scope: Scope, name: string): Promise<void> {
    await run(this.db, qb(this.db).deleteFrom('thing_groups').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', '=', name));
  }

  async countChildren(scope: Scope, name: string): Promise<number> {
    const query = qb(this.db)
      .selectFrom('thing_groups')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('parent_name', '=', name);
    return Number((await first(this.db, query))?.n ?? 0);
  }

  async countDynamic(scope: Scope): Promise<number> {
    const query = qb(this.db)
      .selectFrom('thing_groups')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('is_dynamic', '=', 1);
    return Number((await first(this.db, query))?.n ?? 0);
  }

  /** Every dynamic group of the scope with its query (cheap when there are none: one index probe). */
  async dynamicGroups(scope: Scope): Promise<{ name: string; queryString: string }[]> {
    const rows = await dynamicOfScope(this.db, scope.accountId, scope.region).all();
    // A dynamic group always has its query (CreateDynamicThingGroup requires one).
    return rows.map((r) => ({ name: r.name, queryString: r.query_string! }));
  }

  /** Names of the group and all its descendants. */
  async subtreeNames(scope: Scope, path: string): Promise<string[]> {
    const query = qb(this.db)
      .selectFrom('thing_groups')
      .select('name')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('path', '>=', path)
      .where('path', '<', path + PREFIX_UPPER);
    return (await all(this.db, query)).map((r) => r.name);
  }

  /** Keyset page in name order; one row more than `limit`. */
  async list(scope: Scope, f: GroupListFilter): Promise<ThingGroupRecord[]> {
    const query = qb(this.db)
      .selectFrom('thing_groups')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(f.parentName !== undefined, (w) => w.where('parent_name', '=', f.parentName!))
      .$if(f.underPath !== undefined, (w) => w.where('path', '>', f.underPath!).where('path', '<', f.underPath + PREFIX_UPPER))
      .$if(!!f.topOnly, (w) => w.where('parent_name', 'is', null))
      .$if(f.namePrefix !== undefined, (w) => w.where('name', '>=', f.namePrefix!).where('name', '<', f.namePrefix + PREFIX_UPPER))
      .$if(f.afterName !== undefined, (w) => w.where('name', '>', f.afterName!))
      .orderBy('name')
      .limit(f.limit + 1);
    return (await all(this.db, query)).map(fromRow);
  }
}
