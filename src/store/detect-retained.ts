import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { all, insertRows, qb, run } from './sql.js';

/** One datapoint of a retained metric (migration 016). */
export interface RetainedValueRecord {
  thingName: string;
  profileName: string;
  metric: string;
  /** The TOPIC_FILTER dimension and its operator; '' without one. */
  dimensionName: string;
  dimensionOperator: string;
  /** When (ms). */
  at: number;
  /** The datapoint (a MetricValue; JSON-serialisable, owned by src/detect). */
  value: unknown;
}

/** Which datapoints `list` answers. */
export interface RetainedValueQuery {
  thingName: string;
  /** One profile's; absent, every profile's, one datapoint per millisecond. */
  profileName?: string;
  metric: string;
  /** The dimension and operator as stored; absent, the metric without a dimension. */
  dimensionName?: string;
  dimensionOperator?: string;
  /** [from, to), ms. */
  from: number;
  to: number;
  limit: number;
  /** Keyset: only datapoints after this time (the last of the previous page). */
  after?: number;
}

const KEY = ['account_id', 'region', 'thing_name', 'profile_name', 'metric', 'dimension_name', 'dimension_operator', 'at'] as const;

/** The datapoints Detect keeps of the metrics security profiles retain. */
export class DetectRetainedRepo {
  constructor(private readonly db: Driver) {}

  /**
   * Writes datapoints in multi-row statements; one of a key already stored (thing, profile, metric,
   * dimension, millisecond) replaces it, and of two with one key in `rows` the later wins.
   */
  async save(scope: Scope, rows: readonly RetainedValueRecord[]): Promise<void> {
    // One statement cannot change a row twice (PostgreSQL's ON CONFLICT): the last of a key goes in.
    const byKey = new Map<string, RetainedValueRecord>();
    for (const r of rows) byKey.set(`${r.thingName}\n${r.profileName}\n${r.metric}\n${r.dimensionName}\n${r.dimensionOperator}\n${r.at}`, r);
    await insertRows(
      this.db,
      'detect_retained_values',
      [...byKey.values()].map((r) => ({
        account_id: scope.accountId,
        region: scope.region,
        thing_name: r.thingName,
        profile_name: r.profileName,
        metric: r.metric,
        dimension_name: r.dimensionName,
        dimension_operator: r.dimensionOperator,
        at: r.at,
        value: JSON.stringify(r.value),
      })),
      (q) => q.onConflict((oc) => oc.columns(KEY).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))),
    );
  }

  /** Up to `limit` datapoints of one thing's metric in [from, to), oldest first. */
  async list(scope: Scope, q: RetainedValueQuery): Promise<{ at: number; value: unknown }[]> {
    let query = qb(this.db)
      .selectFrom('detect_retained_values')
      .select((eb) => ['at', eb.fn.min('value').as('value')])
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('thing_name', '=', q.thingName)
      .where('metric', '=', q.metric)
      .where('dimension_name', '=', q.dimensionName ?? '')
      .where('dimension_operator', '=', q.dimensionOperator ?? '')
      .where('at', '>=', q.from)
      .where('at', '<', q.to);
    if (q.profileName !== undefined) query = query.where('profile_name', '=', q.profileName);
    if (q.after !== undefined) query = query.where('at', '>', q.after);
    // Several profiles retaining the metric keep the same datapoint: one per millisecond.
    const rows = await all(this.db, query.groupBy('at').orderBy('at').limit(q.limit));
    return rows.map((r) => ({ at: Number(r.at), value: JSON.parse(r.value) as unknown }));
  }

  /** Deletes the datapoints older than `before` (ms); answers how many. */
  async purgeBefore(before: number): Promise<number> {
    return run(this.db, qb(this.db).deleteFrom('detect_retained_values').where('at', '<', before));
  }
}
