import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';
import type { LogEventConfiguration, LogLevel } from '../generated/shapes.js';
import type { LoggingOptionsV1, LoggingOptionsV2 } from '../store/logging.js';
import type { Repos } from '../store/repos.js';
import type { StoreTx } from '../store/store.js';

/** Scope with the clock of its caller (the request's, or the engine's). */
export type LoggingScope = Scope & { readonly clock: Clock };

const nowOf = (scope: LoggingScope): Date => scope.clock.now();

/**
 * SetV2LoggingOptions (also what the ENABLE_IOT_LOGGING mitigation action does): roleArn,
 * defaultLogLevel and disableAllLogs (false when left out) replace what was set;
 * eventConfigurations is replaced only when given.
 */
export async function setV2LoggingOptions(
  tx: StoreTx,
  scope: LoggingScope,
  o: { roleArn?: string; defaultLogLevel?: LogLevel; disableAllLogs?: boolean; eventConfigurations?: LogEventConfiguration[] },
): Promise<void> {
  await tx.lock(scope, 'logging');
  const previous = await tx.logging.getV2(scope);
  await tx.logging.putV2(scope, {
    roleArn: o.roleArn,
    defaultLogLevel: o.defaultLogLevel,
    disableAllLogs: o.disableAllLogs === true,
    eventConfigurations: o.eventConfigurations ?? previous?.eventConfigurations,
    updatedAt: nowOf(scope),
  });
}

/** SetLoggingOptions (v1): a separate setting from v2. */
export async function setV1LoggingOptions(tx: StoreTx, scope: LoggingScope, o: { roleArn: string; logLevel?: LogLevel }): Promise<void> {
  await tx.logging.putV1(scope, { roleArn: o.roleArn, logLevel: o.logLevel, updatedAt: nowOf(scope) });
}

export interface LoggingState {
  /** v1 options, undefined until SetLoggingOptions was called. */
  v1?: LoggingOptionsV1;
  /** v2 options, undefined until SetV2LoggingOptions was called. */
  v2?: LoggingOptionsV2;
  /** v1 is set with a level other than DISABLED. */
  v1Enabled: boolean;
  /** v2 is set, not disableAllLogs, and its default level is not DISABLED. */
  v2Enabled: boolean;
}

/** Both logging settings of a scope, for LOGGING_DISABLED_CHECK and the mitigation engine. */
export async function getLoggingState(db: Repos, scope: Scope): Promise<LoggingState> {
  const [v1, v2] = [await db.logging.getV1(scope), await db.logging.getV2(scope)];
  return {
    v1,
    v2,
    v1Enabled: v1 !== undefined && v1.logLevel !== undefined && v1.logLevel !== 'DISABLED',
    v2Enabled: v2 !== undefined && !v2.disableAllLogs && v2.defaultLogLevel !== undefined && v2.defaultLogLevel !== 'DISABLED',
  };
}
