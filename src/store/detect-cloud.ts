import type { Scope } from '../base/scope.js';
import { claim } from './claim.js';
import type { Driver } from './driver.js';
import { inChunks, insertRows, qb, run } from './sql.js';

/** One recording of a thing's cloud-side activity in a 5-minute period (migration 015). */
export interface CloudActivityRecord {
  thingName: string;
  periodStart: number;
  /** What was seen (JSON-serialisable, owned by src/detect). */
  activity: unknown;
}

/** The recordings of one scope, thing and period that an evaluation claimed. */
export interface ClaimedCloudActivity {
  scope: Scope;
  periodStart: number;
  thingName: string;
  activities: unknown[];
}

/** Cloud-side activity waiting for the evaluation of its period. */
export class DetectCloudRepo {
  constructor(private readonly db: Driver) {}

  async append(scope: Scope, records: readonly CloudActivityRecord[]): Promise<void> {
    await insertRows(
      this.db,
      'detect_cloud_activity',
      records.map((r) => ({ account_id: scope.accountId, region: scope.region, thing_name: r.thingName, period_start: r.periodStart, activity: JSON.stringify(r.activity) })),
    );
  }

  /**
   * Claims (store/claim.ts) the recordings of the oldest period that started before `before`, of
   * one scope, for whole things: up to `limit` rows in (period, scope, thing) order, less the last
   * thing's when the limit cut through it (unless it is the only one). Deletes what it claimed, so
   * the caller evaluates it in the same transaction and each recording once.
   */
  async claimPeriod(before: number, limit: number): Promise<ClaimedCloudActivity[]> {
    const rows = await claim(
      this.db,
      qb(this.db)
        .selectFrom('detect_cloud_activity')
        .select(['seq', 'account_id', 'region', 'thing_name', 'period_start', 'activity'])
        .where('period_start', '<', before)
        .orderBy('period_start')
        .orderBy('account_id')
        .orderBy('region')
        .orderBy('thing_name')
        .orderBy('seq'),
      limit,
    );
    if (rows.length === 0) return [];
    const head = rows[0];
    let mine = rows.filter((r) => r.period_start === head.period_start && r.account_id === head.account_id && r.region === head.region);
    if (rows.length === limit) {
      const last = mine[mine.length - 1].thing_name;
      const cut = mine.filter((r) => r.thing_name !== last);
      if (cut.length) mine = cut;
    }
    await inChunks(
      mine.map((r) => r.seq),
      async (seqs) => void (await run(this.db, qb(this.db).deleteFrom('detect_cloud_activity').where('seq', 'in', seqs))),
    );
    const scope = { accountId: head.account_id, region: head.region };
    const out: ClaimedCloudActivity[] = [];
    for (const r of mine) {
      const prev = out[out.length - 1];
      if (prev && prev.thingName === r.thing_name) prev.activities.push(JSON.parse(r.activity));
      else out.push({ scope, periodStart: Number(r.period_start), thingName: r.thing_name, activities: [JSON.parse(r.activity)] });
    }
    return out;
  }
}
