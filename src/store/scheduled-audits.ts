import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { ScheduledAuditsTable } from './schema.generated.js';
import { claiming } from './claim.js';
import { all, first, prepared, qb, run, type Q } from './sql.js';

/** A scheduled audit: its schedule, its checks and its runs. */
export interface ScheduledAuditRecord {
  name: string;
  arn: string;
  frequency: string;
  dayOfMonth?: string;
  dayOfWeek?: string;
  /** The check names it runs. */
  checks: string[];
  nextRun: Date;
  lastRun?: Date;
  createdAt: Date;
  modifiedAt: Date;
}

/** A due scheduled audit, with the scope it belongs to (the scheduler works across every scope). */
export interface DueScheduledAudit extends ScheduledAuditRecord {
  scope: Scope;
}

const COLUMNS = ['name', 'arn', 'frequency', 'day_of_month', 'day_of_week', 'checks', 'next_run', 'last_run', 'created_at', 'modified_at'] as const;
type Row = Pick<ScheduledAuditsTable, (typeof COLUMNS)[number]>;

const fromRow = (r: Row): ScheduledAuditRecord => ({
  name: r.name,
  arn: r.arn,
  frequency: r.frequency,
  dayOfMonth: r.day_of_month ?? undefined,
  dayOfWeek: r.day_of_week ?? undefined,
  checks: JSON.parse(r.checks) as string[],
  nextRun: new Date(Number(r.next_run)),
  lastRun: r.last_run === null ? undefined : new Date(Number(r.last_run)),
  createdAt: new Date(Number(r.created_at)),
  modifiedAt: new Date(Number(r.modified_at)),
});

const byName = prepared((q, accountId: string, region: string, name: string) =>
  q.selectFrom('scheduled_audits').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name),
);

const dueRow = claiming((q: Q, now: number) =>
  q
    .selectFrom('scheduled_audits')
    .select(['account_id', 'region', ...COLUMNS])
    .where('next_run', '<=', now)
    .orderBy('next_run')
    .orderBy('account_id')
    .orderBy('region')
    .orderBy('name')
    .limit(1),
);

export class ScheduledAuditRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<ScheduledAuditRecord | undefined> {
    const row = await byName(this.db, scope.accountId, scope.region, name).first();
    return row && fromRow(row);
  }

  /** Every scheduled audit of the scope in name order (AWS allows at most five). */
  async all(scope: Scope): Promise<ScheduledAuditRecord[]> {
    const query = qb(this.db).selectFrom('scheduled_audits').select(COLUMNS).where('account_id', '=', scope.accountId).where('region', '=', scope.region).orderBy('name');
    return (await all(this.db, query)).map(fromRow);
  }

  async count(scope: Scope): Promise<number> {
    const query = qb(this.db)
      .selectFrom('scheduled_audits')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region);
    return Number((await first(this.db, query))?.n ?? 0);
  }

  async insert(scope: Scope, s: ScheduledAuditRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('scheduled_audits')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          name: s.name,
          arn: s.arn,
          frequency: s.frequency,
          day_of_month: s.dayOfMonth ?? null,
          day_of_week: s.dayOfWeek ?? null,
          checks: JSON.stringify(s.checks),
          next_run: s.nextRun.getTime(),
          last_run: s.lastRun?.getTime() ?? null,
          created_at: s.createdAt.getTime(),
          modified_at: s.modifiedAt.getTime(),
        }),
    );
  }

  /** Writes the schedule, the checks and the next run of an existing scheduled audit. */
  async update(scope: Scope, s: ScheduledAuditRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .updateTable('scheduled_audits')
        .set({
          frequency: s.frequency,
          day_of_month: s.dayOfMonth ?? null,
          day_of_week: s.dayOfWeek ?? null,
          checks: JSON.stringify(s.checks),
          next_run: s.nextRun.getTime(),
          modified_at: s.modifiedAt.getTime(),
        })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', '=', s.name),
    );
  }

  async delete(scope: Scope, name: string): Promise<boolean> {
    const n = await run(this.db, qb(this.db).deleteFrom('scheduled_audits').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', '=', name));
    return n > 0;
  }

  /** Keyset page in name order after `afterName`; one row more than `limit` so the caller knows if more follow. */
  async page(scope: Scope, afterName: string | undefined, limit: number): Promise<ScheduledAuditRecord[]> {
    const query = qb(this.db)
      .selectFrom('scheduled_audits')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(afterName !== undefined, (w) => w.where('name', '>', afterName!))
      .orderBy('name')
      .limit(limit + 1);
    return (await all(this.db, query)).map(fromRow);
  }

  /**
   * Inside a transaction: claims the scheduled audit (of any scope) whose next run is the oldest at
   * or before `now`; undefined when none is due. The row stays claimed until commit (on PostgreSQL
   * another node skips it and takes the next one), so with several nodes each run starts once.
   */
  async claimDue(now: Date): Promise<DueScheduledAudit | undefined> {
    const [r] = await dueRow(this.db, now.getTime()).all();
    return r && { ...fromRow(r), scope: { accountId: r.account_id, region: r.region } };
  }

  /** Moves a claimed audit's schedule on: its next run and the run just started. */
  async moveRun(scope: Scope, name: string, nextRun: Date, lastRun: Date): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .updateTable('scheduled_audits')
        .set({ next_run: nextRun.getTime(), last_run: lastRun.getTime() })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', '=', name),
    );
  }
}
