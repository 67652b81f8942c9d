import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

/** The account audit configuration of a scope as stored: JSON in TEXT columns. A row exists once it has been set. */
export interface AuditConfigurationRow {
  role_arn: string | null;
  /** JSON `{targetArn?, roleArn?, enabled?}` of the SNS target, or null. */
  notify: string | null;
  /** JSON `{<checkName>: {enabled: boolean, configuration?: {<name>: <value>}}}` of the checks ever set. */
  checks: string;
  updated_at: number;
}

export class AuditConfigurationRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope): Promise<AuditConfigurationRow | undefined> {
    return this.db.get<AuditConfigurationRow>('SELECT role_arn, notify, checks, updated_at FROM audit_configurations WHERE account_id = ? AND region = ?', [
      scope.accountId,
      scope.region,
    ]);
  }

  async put(scope: Scope, row: AuditConfigurationRow): Promise<void> {
    await this.db.run(
      `INSERT INTO audit_configurations (account_id, region, role_arn, notify, checks, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region) DO UPDATE SET role_arn = excluded.role_arn, notify = excluded.notify, checks = excluded.checks, updated_at = excluded.updated_at`,
      [scope.accountId, scope.region, row.role_arn, row.notify, row.checks, row.updated_at],
    );
  }

  /** False when the scope had no configuration. */
  async delete(scope: Scope): Promise<boolean> {
    return (await this.db.run('DELETE FROM audit_configurations WHERE account_id = ? AND region = ?', [scope.accountId, scope.region])) > 0;
  }
}
