import type { Selectable } from 'kysely';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { deleteNamed, namePage } from './named.js';
import type { CustomMetricsTable } from './schema.generated.js';
import { all, first, prepared, qb, run, selectIn } from './sql.js';

/** A Device Defender custom metric (metricType: number, number-list, string-list, ip-address-list). */
export interface CustomMetricRecord {
  name: string;
  arn: string;
  metricType: string;
  displayName?: string;
  clientRequestToken: string;
  createdAt: Date;
  lastModifiedAt: Date;
}

const COLUMNS = ['name', 'arn', 'metric_type', 'display_name', 'client_request_token', 'created_at', 'modified_at'] as const;
type Row = Pick<Selectable<CustomMetricsTable>, (typeof COLUMNS)[number]>;

const fromRow = (r: Row): CustomMetricRecord => ({
  name: r.name,
  arn: r.arn,
  metricType: r.metric_type,
  displayName: r.display_name ?? undefined,
  clientRequestToken: r.client_request_token,
  createdAt: new Date(Number(r.created_at)),
  lastModifiedAt: new Date(Number(r.modified_at)),
});

const byName = prepared((q, accountId: string, region: string, name: string) =>
  q.selectFrom('custom_metrics').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name),
);

export class CustomMetricRepo {
  constructor(private readonly db: Driver) {}

  /** Every custom metric of the scope with its type (at most 100 per account). */
  async types(scope: Scope): Promise<Map<string, string>> {
    const rows = await all(this.db, qb(this.db).selectFrom('custom_metrics').select(['name', 'metric_type']).where('account_id', '=', scope.accountId).where('region', '=', scope.region));
    return new Map(rows.map((r) => [r.name, r.metric_type]));
  }

  async get(scope: Scope, name: string): Promise<CustomMetricRecord | undefined> {
    const row = await byName(this.db, scope.accountId, scope.region, name).first();
    return row && fromRow(row);
  }

  /** The custom metric created with this client request token, if any. */
  async byToken(scope: Scope, token: string): Promise<CustomMetricRecord | undefined> {
    const row = await first(
      this.db,
      qb(this.db).selectFrom('custom_metrics').select(COLUMNS).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('client_request_token', '=', token),
    );
    return row && fromRow(row);
  }

  /** The type of each of `names` that is defined. */
  async typesOf(scope: Scope, names: string[]): Promise<Map<string, string>> {
    const rows = await selectIn(this.db, [...new Set(names)], (chunk) =>
      qb(this.db)
        .selectFrom('custom_metrics')
        .select(['name', 'metric_type'])
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', 'in', chunk),
    );
    return new Map(rows.map((r) => [r.name, r.metric_type]));
  }

  async count(scope: Scope): Promise<number> {
    const row = await first(
      this.db,
      qb(this.db).selectFrom('custom_metrics').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', scope.accountId).where('region', '=', scope.region),
    );
    return Number(row?.n ?? 0);
  }

  /** Inserts unless the name is taken; false when it is. */
  async insert(scope: Scope, m: CustomMetricRecord): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .insertInto('custom_metrics')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          name: m.name,
          arn: m.arn,
          metric_type: m.metricType,
          display_name: m.displayName ?? null,
          client_request_token: m.clientRequestToken,
          created_at: m.createdAt.getTime(),
          modified_at: m.lastModifiedAt.getTime(),
        })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing()),
    );
    return n > 0;
  }

  /** Writes the display name and the modification date. */
  async update(scope: Scope, m: CustomMetricRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .updateTable('custom_metrics')
        .set({ display_name: m.displayName ?? null, modified_at: m.lastModifiedAt.getTime() })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', '=', m.name),
    );
  }

  async delete(scope: Scope, name: string): Promise<void> {
    await deleteNamed(this.db, 'custom_metrics', scope, name);
  }

  /** Keyset page of names in name order; one more than `limit`. */
  async names(scope: Scope, afterName: string | undefined, limit: number): Promise<string[]> {
    return namePage(this.db, 'custom_metrics', scope, afterName, limit);
  }
}
