import type { Scope } from '../base/scope.js';
import { claim } from './claim.js';
import type { Driver } from './driver.js';
import { first, inChunks, insertRows, qb, run } from './sql.js';

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
   * one scope, for whole things only, so a thing's period is evaluated once, whole: up to `limit`
   * rows in (period, scope, thing) order, less the last thing's when the limit cut through it.
   * When one thing alone fills the limit, all its rows of the period are claimed. On PostgreSQL
   * another node may hold some of the first thing's rows (SKIP LOCKED passed over them): that
   * thing is left to it. Answers nothing when all that is left is another node's. Deletes what
   * it claimed, so the caller evaluates it in the same transaction and each recording once.
   */
  async claimPeriod(before: number, limit: number): Promise<ClaimedCloudActivity[]> {
    const rows = await claim(this.db, this.due(before), limit);
    if (rows.length === 0) return [];
    const head = rows[0];
    const scope = { accountId: head.account_id, region: head.region };
    const period = Number(head.period_start);
    let mine = rows.filter((r) => r.period_start === head.period_start && r.account_id === head.account_id && r.region === head.region);
    const last = mine[mine.length - 1].thing_name;
    if (rows.length === limit) {
      const cut = mine.filter((r) => r.thing_name !== last);
      mine = cut.length ? cut : await this.claimThing(scope, period, last);
    }
    if (mine.length && this.db.dialect === 'postgres') {
      const lead = mine[0].thing_name;
      const held = mine.filter((r) => r.thing_name === lead).length;
      if ((await this.countOf(scope, period, lead)) > held) mine = mine.filter((r) => r.thing_name !== lead);
    }
    if (mine.length === 0) return [];
    await inChunks(
      mine.map((r) => r.seq),
      async (seqs) => void (await run(this.db, qb(this.db).deleteFrom('detect_cloud_activity').where('seq', 'in', seqs))),
    );
    const out: ClaimedCloudActivity[] = [];
    for (const r of mine) {
      const prev = out[out.length - 1];
      if (prev && prev.thingName === r.thing_name) prev.activities.push(JSON.parse(r.activity));
      else out.push({ scope, periodStart: Number(r.period_start), thingName: r.thing_name, activities: [JSON.parse(r.activity)] });
    }
    return out;
  }

  private due(before: number) {
    return qb(this.db)
      .selectFrom('detect_cloud_activity')
      .select(['seq', 'account_id', 'region', 'thing_name', 'period_start', 'activity'])
      .where('period_start', '<', before)
      .orderBy('period_start')
      .orderBy('account_id')
      .orderBy('region')
      .orderBy('thing_name')
      .orderBy('seq');
  }

  /** How many recordings one thing has in one period (held by any node or none). */
  private async countOf(scope: Scope, period: number, thingName: string): Promise<number> {
    const row = await first(
      this.db,
      qb(this.db)
        .selectFrom('detect_cloud_activity')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('period_start', '=', period)
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('thing_name', '=', thingName),
    );
    return Number(row?.n ?? 0);
  }

  /** All of one thing's recordings of a period, or none when another node holds some of them. */
  private async claimThing(scope: Scope, period: number, thingName: string) {
    const total = await this.countOf(scope, period, thingName);
    const rows = await claim(
      this.db,
      this.due(period + 1)
        .where('period_start', '=', period)
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('thing_name', '=', thingName),
      total,
    );
    return rows.length === total ? rows : [];
  }
}
