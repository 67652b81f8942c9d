import type { Selectable } from 'kysely';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { deleteNamed, namePage } from './named.js';
import type { DimensionsTable } from './schema.generated.js';
import { all, first, prepared, qb, run, selectIn } from './sql.js';

/** A Device Defender dimension (type TOPIC_FILTER: stringValues are MQTT topic filters). */
export interface DimensionRecord {
  name: string;
  arn: string;
  type: string;
  stringValues: string[];
  clientRequestToken: string;
  createdAt: Date;
  lastModifiedAt: Date;
}

const COLUMNS = ['name', 'arn', 'type', 'string_values', 'client_request_token', 'created_at', 'modified_at'] as const;
type Row = Pick<Selectable<DimensionsTable>, (typeof COLUMNS)[number]>;

const fromRow = (r: Row): DimensionRecord => ({
  name: r.name,
  arn: r.arn,
  type: r.type,
  stringValues: JSON.parse(r.string_values) as string[],
  clientRequestToken: r.client_request_token,
  createdAt: new Date(Number(r.created_at)),
  lastModifiedAt: new Date(Number(r.modified_at)),
});

const byName = prepared((q, accountId: string, region: string, name: string) =>
  q.selectFrom('dimensions').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name),
);

export class DimensionRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<DimensionRecord | undefined> {
    const row = await byName(this.db, scope.accountId, scope.region, name).first();
    return row && fromRow(row);
  }

  /** The dimension created with this client request token, if any. */
  async byToken(scope: Scope, token: string): Promise<DimensionRecord | undefined> {
    const row = await first(
      this.db,
      qb(this.db).selectFrom('dimensions').select(COLUMNS).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('client_request_token', '=', token),
    );
    return row && fromRow(row);
  }

  /** Which of `names` exist. */
  async existing(scope: Scope, names: string[]): Promise<Set<string>> {
    const rows = await selectIn(this.db, [...new Set(names)], (chunk) =>
      qb(this.db).selectFrom('dimensions').select('name').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', 'in', chunk),
    );
    return new Set(rows.map((r) => r.name));
  }

  async count(scope: Scope): Promise<number> {
    const row = await first(
      this.db,
      qb(this.db).selectFrom('dimensions').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', scope.accountId).where('region', '=', scope.region),
    );
    return Number(row?.n ?? 0);
  }

  /** Inserts unless the name is taken; false when it is. */
  async insert(scope: Scope, d: DimensionRecord): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .insertInto('dimensions')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          name: d.name,
          arn: d.arn,
          type: d.type,
          string_values: JSON.stringify(d.stringValues),
          client_request_token: d.clientRequestToken,
          created_at: d.createdAt.getTime(),
          modified_at: d.lastModifiedAt.getTime(),
        })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing()),
    );
    return n > 0;
  }

  /** Writes the string values and the modification date. */
  async update(scope: Scope, d: DimensionRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .updateTable('dimensions')
        .set({ string_values: JSON.stringify(d.stringValues), modified_at: d.lastModifiedAt.getTime() })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', '=', d.name),
    );
  }

  async delete(scope: Scope, name: string): Promise<void> {
    await deleteNamed(this.db, 'dimensions', scope, name);
  }

  /** Every dimension's topic filters by name (Detect's evaluation; at most 10 per scope). */
  async filters(scope: Scope): Promise<Map<string, string[]>> {
    const rows = await all(this.db, qb(this.db).selectFrom('dimensions').select(['name', 'string_values']).where('account_id', '=', scope.accountId).where('region', '=', scope.region));
    return new Map(rows.map((r) => [r.name, JSON.parse(r.string_values) as string[]]));
  }

  /** Keyset page of names in name order; one more than `limit`. */
  async names(scope: Scope, afterName: string | undefined, limit: number): Promise<string[]> {
    return namePage(this.db, 'dimensions', scope, afterName, limit);
  }
}
