import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

export interface AttachedPolicy {
  name: string;
  arn: string;
}

/** Which policy is attached to which target (certificate ARN, thing group ARN or Cognito identity id). */
export class PolicyTargetRepo {
  constructor(private readonly db: Driver) {}

  async isAttached(scope: Scope, policyName: string, target: string): Promise<boolean> {
    const row = await this.db.get('SELECT 1 AS x FROM policy_targets WHERE account_id = ? AND region = ? AND policy_name = ? AND target = ?', [
      scope.accountId,
      scope.region,
      policyName,
      target,
    ]);
    return row !== undefined;
  }

  async attach(scope: Scope, policyName: string, target: string, at: Date): Promise<void> {
    await this.db.run(
      `INSERT INTO policy_targets (account_id, region, policy_name, target, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, policy_name, target) DO NOTHING`,
      [scope.accountId, scope.region, policyName, target, at.getTime()],
    );
  }

  async detach(scope: Scope, policyName: string, target: string): Promise<boolean> {
    const n = await this.db.run('DELETE FROM policy_targets WHERE account_id = ? AND region = ? AND policy_name = ? AND target = ?', [
      scope.accountId,
      scope.region,
      policyName,
      target,
    ]);
    return n > 0;
  }

  /** Removes every attachment of a target (its resource is being deleted). */
  async detachAllFrom(scope: Scope, target: string): Promise<void> {
    await this.db.run('DELETE FROM policy_targets WHERE account_id = ? AND region = ? AND target = ?', [scope.accountId, scope.region, target]);
  }

  async countForTarget(scope: Scope, target: string): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM policy_targets WHERE account_id = ? AND region = ? AND target = ?', [
      scope.accountId,
      scope.region,
      target,
    ]);
    return Number(row?.n ?? 0);
  }

  async countForPolicy(scope: Scope, policyName: string): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM policy_targets WHERE account_id = ? AND region = ? AND policy_name = ?', [
      scope.accountId,
      scope.region,
      policyName,
    ]);
    return Number(row?.n ?? 0);
  }

  /**
   * The distinct policies attached to any of `targets`, keyset page in name order (descending when
   * `ascending` is false), one row more than `limit`; all of them without a limit.
   */
  async policiesOf(scope: Scope, targets: string[], opts: { after?: string; ascending?: boolean; limit?: number }): Promise<AttachedPolicy[]> {
    if (targets.length === 0) return [];
    const asc = opts.ascending !== false;
    const params: unknown[] = [scope.accountId, scope.region, ...targets];
    let where = `t.account_id = ? AND t.region = ? AND t.target IN (${targets.map(() => '?').join(', ')})`;
    if (opts.after !== undefined) {
      where += asc ? ' AND p.name > ?' : ' AND p.name < ?';
      params.push(opts.after);
    }
    if (opts.limit !== undefined) params.push(opts.limit + 1);
    return this.db.all<AttachedPolicy>(
      `SELECT DISTINCT p.name, p.arn FROM policy_targets t
       JOIN policies p ON p.account_id = t.account_id AND p.region = t.region AND p.name = t.policy_name
       WHERE ${where} ORDER BY p.name ${asc ? 'ASC' : 'DESC'}${opts.limit === undefined ? '' : ' LIMIT ?'}`,
      params,
    );
  }

  /** Targets of one policy, keyset page in target order, one row more than `limit`; `principalsOnly` leaves out thing groups. */
  async targetsOf(scope: Scope, policyName: string, opts: { after?: string; ascending?: boolean; limit: number; principalsOnly?: boolean }): Promise<string[]> {
    const asc = opts.ascending !== false;
    const params: unknown[] = [scope.accountId, scope.region, policyName];
    let where = 'account_id = ? AND region = ? AND policy_name = ?';
    if (opts.principalsOnly) where += " AND target NOT LIKE 'arn:%:thinggroup/%'";
    if (opts.after !== undefined) {
      where += asc ? ' AND target > ?' : ' AND target < ?';
      params.push(opts.after);
    }
    params.push(opts.limit + 1);
    const rows = await this.db.all<{ target: string }>(
      `SELECT target FROM policy_targets WHERE ${where} ORDER BY target ${asc ? 'ASC' : 'DESC'} LIMIT ?`,
      params,
    );
    return rows.map((r) => r.target);
  }
}
