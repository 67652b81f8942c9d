import { InvalidRequestException } from '../generated/errors.js';
import type { MitigationActionType } from '../generated/shapes.js';

/**
 * The audit checks AWS IoT Device Defender has (API names) and the mitigation action types each
 * supports (SEMANTICS.md 1.2; DEVICE_CERTIFICATE_AGE_CHECK per D17). Every check supports SNS.
 */
const DEVICE_CERT: MitigationActionType[] = ['PUBLISH_FINDING_TO_SNS', 'UPDATE_DEVICE_CERTIFICATE', 'ADD_THINGS_TO_THING_GROUP'];
const CA_CERT: MitigationActionType[] = ['PUBLISH_FINDING_TO_SNS', 'UPDATE_CA_CERTIFICATE'];
const POLICY: MitigationActionType[] = ['PUBLISH_FINDING_TO_SNS', 'REPLACE_DEFAULT_POLICY_VERSION'];
const SNS_ONLY: MitigationActionType[] = ['PUBLISH_FINDING_TO_SNS'];

export const CHECK_ACTIONS: Readonly<Record<string, readonly MitigationActionType[]>> = {
  AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK: SNS_ONLY,
  CA_CERTIFICATE_EXPIRING_CHECK: CA_CERT,
  CA_CERTIFICATE_KEY_QUALITY_CHECK: CA_CERT,
  CONFLICTING_CLIENT_IDS_CHECK: SNS_ONLY,
  DEVICE_CERTIFICATE_AGE_CHECK: DEVICE_CERT,
  DEVICE_CERTIFICATE_EXPIRING_CHECK: DEVICE_CERT,
  DEVICE_CERTIFICATE_KEY_QUALITY_CHECK: DEVICE_CERT,
  DEVICE_CERTIFICATE_SHARED_CHECK: DEVICE_CERT,
  INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK: DEVICE_CERT,
  IOT_POLICY_OVERLY_PERMISSIVE_CHECK: POLICY,
  IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK: POLICY,
  IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK: SNS_ONLY,
  IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK: SNS_ONLY,
  LOGGING_DISABLED_CHECK: ['PUBLISH_FINDING_TO_SNS', 'ENABLE_IOT_LOGGING'],
  REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK: CA_CERT,
  REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK: DEVICE_CERT,
  UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK: SNS_ONLY,
};

export const CHECK_NAMES = Object.keys(CHECK_ACTIONS);

export const isCheckName = (name: string): boolean => Object.prototype.hasOwnProperty.call(CHECK_ACTIONS, name);

/** A known check name; otherwise InvalidRequestException naming `member` (the request field) and the name. */
export function requireCheckName(name: string, member = 'checkName'): void {
  if (!isCheckName(name)) throw new InvalidRequestException(`${member}: ${name} is not an audit check name; known checks: ${CHECK_NAMES.join(', ')}.`);
}
