import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { prepared, qb, run } from './sql.js';

/** v1 logging options (SetLoggingOptions). */
export interface LoggingOptionsV1 {
  roleArn: string;
  logLevel?: string;
  updatedAt: Date;
}

/** v2 logging options (SetV2LoggingOptions). */
export interface LoggingOptionsV2 {
  roleArn?: string;
  defaultLogLevel?: string;
  disableAllLogs: boolean;
  /** The LogEventConfigurations list as given. */
  eventConfigurations?: unknown[];
  updatedAt: Date;
}

const v1Of = prepared((q, accountId: string, region: string) =>
  q.selectFrom('logging_options').select(['role_arn', 'log_level', 'updated_at']).where('account_id', '=', accountId).where('region', '=', region),
);

const v2Of = prepared((q, accountId: string, region: string) =>
  q
    .selectFrom('v2_logging_options')
    .select(['role_arn', 'default_log_level', 'disable_all_logs', 'event_configurations', 'updated_at'])
    .where('account_id', '=', accountId)
    .where('region', '=', region),
);

/** The two separate logging settings of a scope; a row exists once it has been set. */
export class LoggingRepo {
  constructor(private readonly db: Driver) {}

  async getV1(scope: Scope): Promise<LoggingOptionsV1 | undefined> {
    const row = await v1Of(this.db, scope.accountId, scope.region).first();
    return row && { roleArn: row.role_arn, logLevel: row.log_level ?? undefined, updatedAt: new Date(Number(row.updated_at)) };
  }

  async putV1(scope: Scope, o: LoggingOptionsV1): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('logging_options')
        .values({ account_id: scope.accountId, region: scope.region, role_arn: o.roleArn, log_level: o.logLevel ?? null, updated_at: o.updatedAt.getTime() })
        .onConflict((oc) =>
          oc.columns(['account_id', 'region']).doUpdateSet((eb) => ({
            role_arn: eb.ref('excluded.role_arn'),
            log_level: eb.ref('excluded.log_level'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        ),
    );
  }

  async getV2(scope: Scope): Promise<LoggingOptionsV2 | undefined> {
    const row = await v2Of(this.db, scope.accountId, scope.region).first();
    return (
      row && {
        roleArn: row.role_arn ?? undefined,
        defaultLogLevel: row.default_log_level ?? undefined,
        disableAllLogs: Number(row.disable_all_logs) === 1,
        eventConfigurations: row.event_configurations === null ? undefined : (JSON.parse(row.event_configurations) as unknown[]),
        updatedAt: new Date(Number(row.updated_at)),
      }
    );
  }

  async putV2(scope: Scope, o: LoggingOptionsV2): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('v2_logging_options')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          role_arn: o.roleArn ?? null,
          default_log_level: o.defaultLogLevel ?? null,
          disable_all_logs: o.disableAllLogs ? 1 : 0,
          event_configurations: o.eventConfigurations === undefined ? null : JSON.stringify(o.eventConfigurations),
          updated_at: o.updatedAt.getTime(),
        })
        .onConflict((oc) =>
          oc.columns(['account_id', 'region']).doUpdateSet((eb) => ({
            role_arn: eb.ref('excluded.role_arn'),
            default_log_level: eb.ref('excluded.default_log_level'),
            disable_all_logs: eb.ref('excluded.disable_all_logs'),
            event_configurations: eb.ref('excluded.event_configurations'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        ),
    );
  }
}
