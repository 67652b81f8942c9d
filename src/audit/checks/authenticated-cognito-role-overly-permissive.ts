import type { AuditCheck } from '../check.js';
import { cognitoNotSupported } from './unauthenticated-cognito-role-overly-permissive.js';

/**
 * AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK: AWS audits the authenticated role of each
 * Amazon Cognito identity pool used to connect in the past 31 days. Warden has no Cognito, so the
 * check answers FAILED (CHECK_NOT_SUPPORTED) with the reason, never a compliant result.
 */
export const authenticatedCognitoRoleOverlyPermissive: AuditCheck = {
  name: 'AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK',
  severity: 'CRITICAL',
  run: async () => cognitoNotSupported('authenticated'),
};
