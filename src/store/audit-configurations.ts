import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { prepared, qb, run } from './sql.js';

/** The SNS target of audit notifications as stored: what UpdateAccountAuditConfiguration merged. */
export interface AuditNotifyTarget {
  targetArn?: string;
  roleArn?: string;
  enabled?: boolean;
}

/** One check as stored: the settings the caller gave, without defaults. */
export interface StoredAuditCheck {
  enabled: boolean;
  configuration?: Record<string, string>;
}

/** The account audit configuration of a scope. A record exists once it has been set. */
export interface AuditConfigurationRecord {
  roleArn?: string;
  notify?: AuditNotifyTarget;
  /** The checks ever set, by check name. */
  checks: Record<string, StoredAuditCheck>;
  updatedAt: Date;
}

const byScope = prepared((q, accountId: string, region: string) =>
  q.selectFrom('audit_configurations').select(['role_arn', 'notify', 'checks', 'updated_at']).where('account_id', '=', accountId).where('region', '=', region),
);

export class AuditConfigurationRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope): Promise<AuditConfigurationRecord | undefined> {
    const r = await byScope(this.db, scope.accountId, scope.region).first();
    return (
      r && {
        roleArn: r.role_arn ?? undefined,
        notify: r.notify ? (JSON.parse(r.notify) as AuditNotifyTarget) : undefined,
        checks: JSON.parse(r.checks) as Record<string, StoredAuditCheck>,
        updatedAt: new Date(Number(r.updated_at)),
      }
    );
  }

  async put(scope: Scope, c: AuditConfigurationRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('audit_configurations')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          role_arn: c.roleArn ?? null,
          notify: c.notify ? JSON.stringify(c.notify) : null,
          checks: JSON.stringify(c.checks),
          updated_at: c.updatedAt.getTime(),
        })
        .onConflict((oc) =>
          oc.columns(['account_id', 'region']).doUpdateSet((eb) => ({
            role_arn: eb.ref('excluded.role_arn'),
            notify: eb.ref('excluded.notify'),
            checks: eb.ref('excluded.checks'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        ),
    );
  }

  /** False when the scope had no configuration. */
  async delete(scope: Scope): Promise<boolean> {
    const n = await run(this.db, qb(this.db).deleteFrom('audit_configurations').where('account_id', '=', scope.accountId).where('region', '=', scope.region));
    return n > 0;
  }
}
