import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { ThingsTable } from './schema.generated.js';
import { all, first, insertRows, prepared, qb, run, selectIn } from './sql.js';

export type Attributes = Record<string, string>;

export interface ThingRecord {
  name: string;
  thingId: string;
  arn: string;
  thingTypeName?: string;
  version: number;
  attributes: Attributes;
  createdAt: Date;
  modifiedAt: Date;
}

/** The columns a thing record is read from. */
const COLUMNS = ['name', 'thing_id', 'arn', 'thing_type_name', 'version', 'attributes', 'created_at', 'modified_at'] as const;
type Row = Pick<ThingsTable, (typeof COLUMNS)[number]>;

const fromRow = (r: Row): ThingRecord => ({
  name: r.name,
  thingId: r.thing_id,
  arn: r.arn,
  thingTypeName: r.thing_type_name ?? undefined,
  version: Number(r.version),
  attributes: JSON.parse(r.attributes) as Attributes,
  createdAt: new Date(Number(r.created_at)),
  modifiedAt: new Date(Number(r.modified_at)),
});

/** Above every character a thing name or attribute may hold, so `prefix + UPPER` bounds a prefix range. */
export const PREFIX_UPPER = '\uffff';

export interface ThingListFilter {
  thingTypeName?: string;
  attributeName?: string;
  attributeValue?: string;
  /** attributeValue is a prefix. */
  prefix?: boolean;
  afterName?: string;
  limit: number;
}

/**
 * Things and their attribute index (thing_attributes repeats `attributes` one row per key so
 * ListThings filters through an index).
 */
const byName = prepared((q, accountId: string, region: string, name: string) =>
  q.selectFrom('things').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name),
);

export class ThingRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<ThingRecord | undefined> {
    const row = await byName(this.db, scope.accountId, scope.region, name).first();
    return row && fromRow(row);
  }

  /** Which of `names` are things of the scope, in one query per chunk. */
  async existing(scope: Scope, names: readonly string[]): Promise<Set<string>> {
    const distinct = [...new Set(names)];
    if (distinct.length === 1) return new Set((await byName(this.db, scope.accountId, scope.region, distinct[0]).first()) ? distinct : []);
    const rows = await selectIn(this.db, distinct, (chunk) =>
      qb(this.db).selectFrom('things').select('name').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', 'in', chunk),
    );
    return new Set(rows.map((r) => r.name));
  }

  /** Inserts unless the name is taken; false when it is (the caller then compares with the existing thing). */
  async insert(scope: Scope, rec: ThingRecord): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .insertInto('things')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          name: rec.name,
          thing_id: rec.thingId,
          arn: rec.arn,
          thing_type_name: rec.thingTypeName ?? null,
          version: rec.version,
          attributes: JSON.stringify(rec.attributes),
          created_at: rec.createdAt.getTime(),
          modified_at: rec.modifiedAt.getTime(),
        })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing()),
    );
    if (n > 0) await this.insertAttributes(scope, rec.name, rec.attributes);
    return n > 0;
  }

  /** Writes type, attributes, version and modifiedAt of an existing thing. */
  async update(scope: Scope, rec: ThingRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .updateTable('things')
        .set({ thing_type_name: rec.thingTypeName ?? null, version: rec.version, attributes: JSON.stringify(rec.attributes), modified_at: rec.modifiedAt.getTime() })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', '=', rec.name),
    );
    await this.deleteAttributes(scope, rec.name);
    await this.insertAttributes(scope, rec.name, rec.attributes);
  }

  async delete(scope: Scope, name: string): Promise<void> {
    await this.deleteAttributes(scope, name);
    await run(this.db, qb(this.db).deleteFrom('things').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', '=', name));
  }

  private async deleteAttributes(scope: Scope, name: string): Promise<void> {
    await run(
      this.db,
      qb(this.db).deleteFrom('thing_attributes').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('thing_name', '=', name),
    );
  }

  private async insertAttributes(scope: Scope, name: string, attributes: Attributes): Promise<void> {
    const rows = Object.entries(attributes).map(([k, v]) => ({ account_id: scope.accountId, region: scope.region, thing_name: name, attr_name: k, attr_value: v }));
    await insertRows(this.db, 'thing_attributes', rows);
  }

  /** Keyset page in name order; one row more than `limit` tells the caller more follow. */
  async list(scope: Scope, f: ThingListFilter): Promise<ThingRecord[]> {
    const q = qb(this.db);
    if (f.attributeName !== undefined) {
      const value = f.attributeValue;
      const query = q
        .selectFrom('thing_attributes as a')
        .innerJoin('things as t', (j) => j.onRef('t.account_id', '=', 'a.account_id').onRef('t.region', '=', 'a.region').onRef('t.name', '=', 'a.thing_name'))
        .select(COLUMNS.map((c) => `t.${c}` as const))
        .where('a.account_id', '=', scope.accountId)
        .where('a.region', '=', scope.region)
        .where('a.attr_name', '=', f.attributeName)
        .$if(value !== undefined && !!f.prefix, (w) => w.where('a.attr_value', '>=', value!).where('a.attr_value', '<', value + PREFIX_UPPER))
        .$if(value !== undefined && !f.prefix, (w) => w.where('a.attr_value', '=', value!))
        .$if(f.thingTypeName !== undefined, (w) => w.where('t.thing_type_name', '=', f.thingTypeName!))
        .$if(f.afterName !== undefined, (w) => w.where('a.thing_name', '>', f.afterName!))
        .orderBy('a.thing_name')
        .limit(f.limit + 1);
      return (await all(this.db, query)).map(fromRow);
    }
    const query = q
      .selectFrom('things')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(f.thingTypeName !== undefined, (w) => w.where('thing_type_name', '=', f.thingTypeName!))
      .$if(f.afterName !== undefined, (w) => w.where('name', '>', f.afterName!))
      .orderBy('name')
      .limit(f.limit + 1);
    return (await all(this.db, query)).map(fromRow);
  }

  /** True when at least one thing has this type. */
  async anyOfType(scope: Scope, thingTypeName: string): Promise<boolean> {
    const query = qb(this.db)
      .selectFrom('things')
      .select('name')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('thing_type_name', '=', thingTypeName)
      .limit(1);
    return (await first(this.db, query)) !== undefined;
  }

  /** True when a principal is attached to the thing (thing_principals belongs to the certificates family). */
  async hasPrincipals(scope: Scope, name: string): Promise<boolean> {
    const query = qb(this.db)
      .selectFrom('thing_principals')
      .select('principal')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('thing_name', '=', name)
      .limit(1);
    return (await first(this.db, query)) !== undefined;
  }
}
