import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

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

/** The two separate logging settings of a scope; a row exists once it has been set. */
export class LoggingRepo {
  constructor(private readonly db: Driver) {}

  async getV1(scope: Scope): Promise<LoggingOptionsV1 | undefined> {
    const row = await this.db.get<{ role_arn: string; log_level: string | null; updated_at: number }>(
      'SELECT role_arn, log_level, updated_at FROM logging_options WHERE account_id = ? AND region = ?',
      [scope.accountId, scope.region],
    );
    return row && { roleArn: row.role_arn, logLevel: row.log_level ?? undefined, updatedAt: new Date(Number(row.updated_at)) };
  }

  async putV1(scope: Scope, o: LoggingOptionsV1): Promise<void> {
    await this.db.run(
      `INSERT INTO logging_options (account_id, region, role_arn, log_level, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region) DO UPDATE SET role_arn = excluded.role_arn, log_level = excluded.log_level, updated_at = excluded.updated_at`,
      [scope.accountId, scope.region, o.roleArn, o.logLevel ?? null, o.updatedAt.getTime()],
    );
  }

  async getV2(scope: Scope): Promise<LoggingOptionsV2 | undefined> {
    const row = await this.db.get<{ role_arn: string | null; default_log_level: string | null; disable_all_logs: number; event_configurations: string | null; updated_at: number }>(
      'SELECT role_arn, default_log_level, disable_all_logs, event_configurations, updated_at FROM v2_logging_options WHERE account_id = ? AND region = ?',
      [scope.accountId, scope.region],
    );
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
    await this.db.run(
      `INSERT INTO v2_logging_options (account_id, region, role_arn, default_log_level, disable_all_logs, event_configurations, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region) DO UPDATE SET role_arn = excluded.role_arn, default_log_level = excluded.default_log_level,
         disable_all_logs = excluded.disable_all_logs, event_configurations = excluded.event_configurations, updated_at = excluded.updated_at`,
      [
        scope.accountId,
        scope.region,
        o.roleArn ?? null,
        o.defaultLogLevel ?? null,
        o.disableAllLogs ? 1 : 0,
        o.eventConfigurations === undefined ? null : JSON.stringify(o.eventConfigurations),
        o.updatedAt.getTime(),
      ],
    );
  }
}
