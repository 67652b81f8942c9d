import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { MitigationActionsTable } from './schema.generated.js';
import { all, prepared, qb, run } from './sql.js';

export interface MitigationActionRecord {
  name: string;
  actionId: string;
  arn: string;
  roleArn: string;
  actionType: string;
  /** The one actionParams member that is set, as the caller gave it: `{ <member>: {...} }`. */
  params: Record<string, unknown>;
  createdAt: Date;
  modifiedAt: Date;
}

const COLUMNS = ['name', 'action_id', 'arn', 'role_arn', 'action_type', 'params', 'created_at', 'modified_at'] as const;
type Row = Pick<MitigationActionsTable, (typeof COLUMNS)[number]>;

const fromRow = (r: Row): MitigationActionRecord => ({
  name: r.name,
  actionId: r.action_id,
  arn: r.arn,
  roleArn: r.role_arn,
  actionType: r.action_type,
  params: JSON.parse(r.params) as Record<string, unknown>,
  createdAt: new Date(Number(r.created_at)),
  modifiedAt: new Date(Number(r.modified_at)),
});

const byName = prepared((q, accountId: string, region: string, name: string) =>
  q.selectFrom('mitigation_actions').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name),
);

const countOf = prepared((q, accountId: string, region: string) =>
  q
    .selectFrom('mitigation_actions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('region', '=', region),
);

export class MitigationActionRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<MitigationActionRecord | undefined> {
    const row = await byName(this.db, scope.accountId, scope.region, name).first();
    return row && fromRow(row);
  }

  async count(scope: Scope): Promise<number> {
    const row = await countOf(this.db, scope.accountId, scope.region).first();
    return Number(row?.n ?? 0);
  }

  async insert(scope: Scope, rec: MitigationActionRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('mitigation_actions')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          name: rec.name,
          action_id: rec.actionId,
          arn: rec.arn,
          role_arn: rec.roleArn,
          action_type: rec.actionType,
          params: JSON.stringify(rec.params),
          created_at: rec.createdAt.getTime(),
          modified_at: rec.modifiedAt.getTime(),
        }),
    );
  }

  /** Writes roleArn, type, params and modifiedAt of an existing action; false when there is none. */
  async update(scope: Scope, rec: MitigationActionRecord): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .updateTable('mitigation_actions')
        .set({ role_arn: rec.roleArn, action_type: rec.actionType, params: JSON.stringify(rec.params), modified_at: rec.modifiedAt.getTime() })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', '=', rec.name),
    );
    return n > 0;
  }

  async delete(scope: Scope, name: string): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db).deleteFrom('mitigation_actions').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', '=', name),
    );
    return n > 0;
  }

  /** Keyset page in name order, after `afterName`; asks for one more row than `limit` so the caller knows if more follow. */
  async list(scope: Scope, opts: { actionType?: string; afterName?: string; limit: number }): Promise<MitigationActionRecord[]> {
    const query = qb(this.db)
      .selectFrom('mitigation_actions')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(!!opts.actionType, (w) => w.where('action_type', '=', opts.actionType!))
      .$if(opts.afterName !== undefined, (w) => w.where('name', '>', opts.afterName!))
      .orderBy('name')
      .limit(opts.limit + 1);
    return (await all(this.db, query)).map(fromRow);
  }
}
