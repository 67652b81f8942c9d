import type { AuditCheck } from '../check.js';
import { revokedCaCertificateStillActive } from './revoked-ca-certificate-still-active.js';
import { revokedDeviceCertificateStillActive } from './revoked-device-certificate-still-active.js';
import { intermediateCaRevokedForActiveDeviceCertificates } from './intermediate-ca-revoked-for-active-device-certificates.js';
import { iotRoleAliasOverlyPermissive } from './iot-role-alias-overly-permissive.js';
import { iotRoleAliasAllowsAccessToUnusedServices } from './iot-role-alias-allows-access-to-unused-services.js';
import { deviceCertificateShared } from './device-certificate-shared.js';
import { conflictingClientIds } from './conflicting-client-ids.js';
import { authenticatedCognitoRoleOverlyPermissive } from './authenticated-cognito-role-overly-permissive.js';
import { unauthenticatedCognitoRoleOverlyPermissive } from './unauthenticated-cognito-role-overly-permissive.js';
import { iotPolicyOverlyPermissive } from './iot-policy-overly-permissive.js';
import { iotPolicyPotentialMisconfiguration } from './iot-policy-potential-misconfiguration.js';
import { loggingDisabled } from './logging-disabled.js';
import { deviceCertificateExpiring } from './device-certificate-expiring.js';
import { caCertificateExpiring } from './ca-certificate-expiring.js';
import { deviceCertificateAge } from './device-certificate-age.js';
import { deviceCertificateKeyQuality } from './device-certificate-key-quality.js';
import { caCertificateKeyQuality } from './ca-certificate-key-quality.js';

/**
 * Every check Warden evaluates, by API name; one file each in this folder. A check name from
 * CHECK_ACTIONS that is missing here is answered FAILED with errorCode CHECK_NOT_SUPPORTED.
 */
const all: AuditCheck[] = [
  revokedCaCertificateStillActive,
  revokedDeviceCertificateStillActive,
  intermediateCaRevokedForActiveDeviceCertificates,
  iotRoleAliasOverlyPermissive,
  iotRoleAliasAllowsAccessToUnusedServices,
  deviceCertificateShared,
  conflictingClientIds,
  authenticatedCognitoRoleOverlyPermissive,
  unauthenticatedCognitoRoleOverlyPermissive,
  iotPolicyOverlyPermissive,
  iotPolicyPotentialMisconfiguration,
  loggingDisabled,
  deviceCertificateExpiring,
  caCertificateExpiring,
  deviceCertificateAge,
  deviceCertificateKeyQuality,
  caCertificateKeyQuality,
];

export const AUDIT_CHECKS: ReadonlyMap<string, AuditCheck> = new Map(all.map((c) => [c.name, c]));
