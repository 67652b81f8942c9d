import { getLoggingState } from '../../registry/logging.js';
import type { AuditCheck } from '../check.js';

/**
 * LOGGING_DISABLED_CHECK: "AWS IoT logs are not enabled in Amazon CloudWatch. Verifies both V1
 * and V2 logging." Compliant when either is on: v1 set with a level other than DISABLED, or v2
 * set with disableAllLogs false and a default level other than DISABLED. One resource: the
 * account's settings.
 */
export const loggingDisabled: AuditCheck = {
  name: 'LOGGING_DISABLED_CHECK',
  severity: 'LOW',
  async run(ctx) {
    const state = await getLoggingState(ctx.repos, ctx.scope);
    const on = state.v1Enabled || state.v2Enabled;
    return {
      status: 'evaluated',
      totalResourcesCount: 1,
      findings: on
        ? []
        : [
            {
              resourceType: 'ACCOUNT_SETTINGS',
              resourceIdentifier: { account: ctx.scope.accountId },
              reasonForNonCompliance: 'AWS IoT logging is disabled: neither v1 logging (SetLoggingOptions) nor v2 logging (SetV2LoggingOptions) is enabled.',
              reasonForNonComplianceCode: 'LOGGING_DISABLED',
            },
          ],
    };
  },
};
