import type { AuditCheck, CheckResult } from '../check.js';

/** The FAILED result of both Cognito checks: there is nothing to audit, and saying "compliant" would be false. */
export function cognitoNotSupported(which: 'authenticated' | 'unauthenticated'): CheckResult {
  return {
    status: 'failed',
    errorCode: 'CHECK_NOT_SUPPORTED',
    message:
      `Warden has no Amazon Cognito identity pools to audit; the ${which} Cognito role check needs the pools that connected ` +
      'in the last 31 days and their IAM roles, which Warden does not have. Disable this check, or audit Cognito roles with AWS IoT Device Defender.',
  };
}

/**
 * UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK: AWS audits the unauthenticated role of
 * each Amazon Cognito identity pool used to connect in the past 31 days. Warden has no Cognito,
 * so the check answers FAILED (CHECK_NOT_SUPPORTED) with the reason.
 */
export const unauthenticatedCognitoRoleOverlyPermissive: AuditCheck = {
  name: 'UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK',
  severity: 'CRITICAL',
  run: async () => cognitoNotSupported('unauthenticated'),
};
