import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { ThingTypesTable } from './schema.generated.js';
import { all, prepared, qb, run } from './sql.js';

export interface ThingTypeRecord {
  name: string;
  thingTypeId: string;
  arn: string;
  /** The thing type's properties as the API gave them (the model's ThingTypeProperties), kept as JSON. */
  properties: object;
  deprecated: boolean;
  deprecatedAt?: Date;
  createdAt: Date;
}

/** The columns a thing type record is read from. */
const COLUMNS = ['name', 'thing_type_id', 'arn', 'properties', 'deprecated', 'deprecated_at', 'created_at'] as const;
type Row = Pick<ThingTypesTable, (typeof COLUMNS)[number]>;

const fromRow = (r: Row): ThingTypeRecord => ({
  name: r.name,
  thingTypeId: r.thing_type_id,
  arn: r.arn,
  properties: JSON.parse(r.properties) as object,
  deprecated: Number(r.deprecated) === 1,
  deprecatedAt: r.deprecated_at === null ? undefined : new Date(Number(r.deprecated_at)),
  createdAt: new Date(Number(r.created_at)),
});

const byName = prepared((q, accountId: string, region: string, name: string) =>
  q.selectFrom('thing_types').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name),
);

export class ThingTypeRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<ThingTypeRecord | undefined> {
    const row = await byName(this.db, scope.accountId, scope.region, name).first();
    return row && fromRow(row);
  }

  /** Inserts unless the name is taken; false when it is. */
  async insert(scope: Scope, rec: ThingTypeRecord): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .insertInto('thing_types')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          name: rec.name,
          thing_type_id: rec.thingTypeId,
          arn: rec.arn,
          properties: JSON.stringify(rec.properties),
          deprecated: rec.deprecated ? 1 : 0,
          deprecated_at: rec.deprecatedAt?.getTime() ?? null,
          created_at: rec.createdAt.getTime(),
        })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing()),
    );
    return n > 0;
  }

  async setDeprecated(scope: Scope, name: string, deprecatedAt: Date | undefined): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .updateTable('thing_types')
        .set({ deprecated: deprecatedAt ? 1 : 0, deprecated_at: deprecatedAt?.getTime() ?? null })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', '=', name),
    );
  }

  async delete(scope: Scope, name: string): Promise<void> {
    await run(this.db, qb(this.db).deleteFrom('thing_types').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', '=', name));
  }

  /** Keyset page in name order (optionally the one type named), one row more than `limit`. */
  async list(scope: Scope, opts: { name?: string; afterName?: string; limit: number }): Promise<ThingTypeRecord[]> {
    const query = qb(this.db)
      .selectFrom('thing_types')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(opts.name !== undefined, (w) => w.where('name', '=', opts.name!))
      .$if(opts.afterName !== undefined, (w) => w.where('name', '>', opts.afterName!))
      .orderBy('name')
      .limit(opts.limit + 1);
    return (await all(this.db, query)).map(fromRow);
  }
}
