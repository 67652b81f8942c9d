import { setV2LoggingOptions } from '../registry/logging.js';
import { applyEffect } from './outcome.js';
import type { ActionHandler } from './types.js';

/**
 * ENABLE_IOT_LOGGING (SEMANTICS.md D12): the same effect as SetV2LoggingOptions with the action's
 * role and level and disableAllLogs false; event configurations stay as they were.
 */
export const enableIotLogging: ActionHandler = async (tx, scope, action) => {
  const params = action.actionParams.enableIoTLoggingParams!;
  return applyEffect(async () => {
    await setV2LoggingOptions(tx, scope, { roleArn: params.roleArnForLogging, defaultLogLevel: params.logLevel, disableAllLogs: false });
  });
};
