import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { RoleAliasesTable } from './schema.generated.js';
import { all, first, qb, run } from './sql.js';

export interface RoleAliasRecord {
  alias: string;
  arn: string;
  roleArn: string;
  credentialDurationSeconds: number;
  createdAt: Date;
  modifiedAt: Date;
}

const COLUMNS = ['alias', 'arn', 'role_arn', 'credential_duration_seconds', 'created_at', 'modified_at'] as const;
type Row = Pick<RoleAliasesTable, (typeof COLUMNS)[number]>;

const fromRow = (r: Row): RoleAliasRecord => ({
  alias: r.alias,
  arn: r.arn,
  roleArn: r.role_arn,
  credentialDurationSeconds: Number(r.credential_duration_seconds),
  createdAt: new Date(Number(r.created_at)),
  modifiedAt: new Date(Number(r.modified_at)),
});

export class RoleAliasRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, alias: string): Promise<RoleAliasRecord | undefined> {
    const query = qb(this.db).selectFrom('role_aliases').select(COLUMNS).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('alias', '=', alias);
    const row = await first(this.db, query);
    return row && fromRow(row);
  }

  async insert(scope: Scope, rec: RoleAliasRecord): Promise<void> {
    const query = qb(this.db).insertInto('role_aliases').values({
      account_id: scope.accountId,
      region: scope.region,
      alias: rec.alias,
      arn: rec.arn,
      role_arn: rec.roleArn,
      credential_duration_seconds: rec.credentialDurationSeconds,
      created_at: rec.createdAt.getTime(),
      modified_at: rec.modifiedAt.getTime(),
    });
    await run(this.db, query);
  }

  async update(scope: Scope, rec: RoleAliasRecord): Promise<void> {
    const query = qb(this.db)
      .updateTable('role_aliases')
      .set({ role_arn: rec.roleArn, credential_duration_seconds: rec.credentialDurationSeconds, modified_at: rec.modifiedAt.getTime() })
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('alias', '=', rec.alias);
    await run(this.db, query);
  }

  async delete(scope: Scope, alias: string): Promise<boolean> {
    const query = qb(this.db).deleteFrom('role_aliases').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('alias', '=', alias);
    return (await run(this.db, query)) > 0;
  }

  /** Keyset page of alias names (descending when `ascending` is false), one more than `limit`. */
  async list(scope: Scope, opts: { after?: string; ascending: boolean; limit: number }): Promise<string[]> {
    const query = qb(this.db)
      .selectFrom('role_aliases')
      .select('alias')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(opts.after !== undefined, (w) => w.where('alias', opts.ascending ? '>' : '<', opts.after!))
      .orderBy('alias', opts.ascending ? 'asc' : 'desc')
      .limit(opts.limit + 1);
    return (await all(this.db, query)).map((r) => r.alias);
  }
}
