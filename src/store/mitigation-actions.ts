import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

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

interface Row {
  name: string;
  action_id: string;
  arn: string;
  role_arn: string;
  action_type: string;
  params: string;
  created_at: number;
  modified_at: number;
}

const COLUMNS = 'name, action_id, arn, role_arn, action_type, params, created_at, modified_at';

const fromRow = (r: Row): MitigationActionRecord => ({
  name: r.name,
  actionId: r.action_id,
  arn: r.arn,
  roleArn: r.role_arn,
  actionType: r.action_type,
  params: JSON.parse(r.params) as Record<string, unknown>,
  createdAt: new Date(r.created_at),
  modifiedAt: new Date(r.modified_at),
});

export class MitigationActionRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<MitigationActionRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM mitigation_actions WHERE account_id = ? AND region = ? AND name = ?`, [
      scope.accountId,
      scope.region,
      name,
    ]);
    return row && fromRow(row);
  }

  async count(scope: Scope): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM mitigation_actions WHERE account_id = ? AND region = ?', [
      scope.accountId,
      scope.region,
    ]);
    return Number(row?.n ?? 0);
  }

  async insert(scope: Scope, rec: MitigationActionRecord): Promise<void> {
    await this.db.run(`INSERT INTO mitigation_actions (account_id, region, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      scope.accountId,
      scope.region,
      rec.name,
      rec.actionId,
      rec.arn,
      rec.roleArn,
      rec.actionType,
      JSON.stringify(rec.params),
      rec.createdAt.getTime(),
      rec.modifiedAt.getTime(),
    ]);
  }

  /** Writes roleArn, type, params and modifiedAt of an existing action; false when there is none. */
  async update(scope: Scope, rec: MitigationActionRecord): Promise<boolean> {
    const n = await this.db.run(
      'UPDATE mitigation_actions SET role_arn = ?, action_type = ?, params = ?, modified_at = ? WHERE account_id = ? AND region = ? AND name = ?',
      [rec.roleArn, rec.actionType, JSON.stringify(rec.params), rec.modifiedAt.getTime(), scope.accountId, scope.region, rec.name],
    );
    return n > 0;
  }

  async delete(scope: Scope, name: string): Promise<boolean> {
    const n = await this.db.run('DELETE FROM mitigation_actions WHERE account_id = ? AND region = ? AND name = ?', [scope.accountId, scope.region, name]);
    return n > 0;
  }

  /** Keyset page in name order, after `afterName`; asks for one more row than `limit` so the caller knows if more follow. */
  async list(scope: Scope, opts: { actionType?: string; afterName?: string; limit: number }): Promise<MitigationActionRecord[]> {
    const where = ['account_id = ?', 'region = ?'];
    const params: unknown[] = [scope.accountId, scope.region];
    if (opts.actionType) {
      where.push('action_type = ?');
      params.push(opts.actionType);
    }
    if (opts.afterName !== undefined) {
      where.push('name > ?');
      params.push(opts.afterName);
    }
    params.push(opts.limit + 1);
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM mitigation_actions WHERE ${where.join(' AND ')} ORDER BY name LIMIT ?`, params);
    return rows.map(fromRow);
  }
}
