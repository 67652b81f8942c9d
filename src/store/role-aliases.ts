import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

export interface RoleAliasRecord {
  alias: string;
  arn: string;
  roleArn: string;
  credentialDurationSeconds: number;
  createdAt: Date;
  modifiedAt: Date;
}

interface Row {
  alias: string;
  arn: string;
  role_arn: string;
  credential_duration_seconds: number;
  created_at: number;
  modified_at: number;
}

const COLUMNS = 'alias, arn, role_arn, credential_duration_seconds, created_at, modified_at';

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
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM role_aliases WHERE account_id = ? AND region = ? AND alias = ?`, [scope.accountId, scope.region, alias]);
    return row && fromRow(row);
  }

  async insert(scope: Scope, rec: RoleAliasRecord): Promise<void> {
    await this.db.run(`INSERT INTO role_aliases (account_id, region, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
      scope.accountId,
      scope.region,
      rec.alias,
      rec.arn,
      rec.roleArn,
      rec.credentialDurationSeconds,
      rec.createdAt.getTime(),
      rec.modifiedAt.getTime(),
    ]);
  }

  async update(scope: Scope, rec: RoleAliasRecord): Promise<void> {
    await this.db.run('UPDATE role_aliases SET role_arn = ?, credential_duration_seconds = ?, modified_at = ? WHERE account_id = ? AND region = ? AND alias = ?', [
      rec.roleArn,
      rec.credentialDurationSeconds,
      rec.modifiedAt.getTime(),
      scope.accountId,
      scope.region,
      rec.alias,
    ]);
  }

  async delete(scope: Scope, alias: string): Promise<boolean> {
    const n = await this.db.run('DELETE FROM role_aliases WHERE account_id = ? AND region = ? AND alias = ?', [scope.accountId, scope.region, alias]);
    return n > 0;
  }

  /** Keyset page of alias names (descending when `ascending` is false), one more than `limit`. */
  async list(scope: Scope, opts: { after?: string; ascending: boolean; limit: number }): Promise<string[]> {
    const params: unknown[] = [scope.accountId, scope.region];
    let where = 'account_id = ? AND region = ?';
    if (opts.after !== undefined) {
      where += opts.ascending ? ' AND alias > ?' : ' AND alias < ?';
      params.push(opts.after);
    }
    params.push(opts.limit + 1);
    const rows = await this.db.all<{ alias: string }>(`SELECT alias FROM role_aliases WHERE ${where} ORDER BY alias ${opts.ascending ? 'ASC' : 'DESC'} LIMIT ?`, params);
    return rows.map((r) => r.alias);
  }
}
