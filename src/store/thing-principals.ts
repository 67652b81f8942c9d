import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

export interface ThingPrincipalRecord {
  thingName: string;
  principal: string;
  /** EXCLUSIVE_THING or NON_EXCLUSIVE_THING. */
  principalType: string;
  createdAt: Date;
}

interface Row {
  thing_name: string;
  principal: string;
  principal_type: string;
  created_at: number;
}

const fromRow = (r: Row): ThingPrincipalRecord => ({
  thingName: r.thing_name,
  principal: r.principal,
  principalType: r.principal_type,
  createdAt: new Date(Number(r.created_at)),
});

/** Which principals (certificate ARNs, Cognito ids) are attached to which things (table `thing_principals` of the contract). */
export class ThingPrincipalRepo {
  constructor(private readonly db: Driver) {}

  /** Whether the thing exists (table `things` of the things family, by contract). */
  async thingExists(scope: Scope, thingName: string): Promise<boolean> {
    const row = await this.db.get('SELECT 1 AS one FROM things WHERE account_id = ? AND region = ? AND name = ?', [scope.accountId, scope.region, thingName]);
    return row !== undefined;
  }

  /** Inserts the attachment or changes its type. */
  async put(scope: Scope, r: ThingPrincipalRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO thing_principals (account_id, region, thing_name, principal, principal_type, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, thing_name, principal) DO UPDATE SET principal_type = excluded.principal_type`,
      [scope.accountId, scope.region, r.thingName, r.principal, r.principalType, r.createdAt.getTime()],
    );
  }

  async delete(scope: Scope, thingName: string, principal: string): Promise<boolean> {
    const n = await this.db.run('DELETE FROM thing_principals WHERE account_id = ? AND region = ? AND thing_name = ? AND principal = ?', [
      scope.accountId,
      scope.region,
      thingName,
      principal,
    ]);
    return n > 0;
  }

  /** Principals of a thing in code-point order after `after`; limit + 1 rows. */
  async byThing(scope: Scope, thingName: string, opts: { after?: string; principalType?: string; limit: number }): Promise<ThingPrincipalRecord[]> {
    return this.page('thing_name', thingName, 'principal', opts, scope);
  }

  /** Things of a principal in code-point order after `after`; limit + 1 rows. */
  async byPrincipal(scope: Scope, principal: string, opts: { after?: string; principalType?: string; limit: number }): Promise<ThingPrincipalRecord[]> {
    return this.page('principal', principal, 'thing_name', opts, scope);
  }

  private async page(
    by: 'thing_name' | 'principal',
    value: string,
    order: 'thing_name' | 'principal',
    opts: { after?: string; principalType?: string; limit: number },
    scope: Scope,
  ): Promise<ThingPrincipalRecord[]> {
    const where = ['account_id = ?', 'region = ?', `${by} = ?`];
    const params: unknown[] = [scope.accountId, scope.region, value];
    if (opts.after !== undefined) {
      where.push(`${order} > ?`);
      params.push(opts.after);
    }
    if (opts.principalType !== undefined) {
      where.push('principal_type = ?');
      params.push(opts.principalType);
    }
    params.push(opts.limit + 1);
    const rows = await this.db.all<Row>(
      `SELECT thing_name, principal, principal_type, created_at FROM thing_principals WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`,
      params,
    );
    return rows.map(fromRow);
  }
}
