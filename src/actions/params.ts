import { InvalidRequestException } from '../generated/errors.js';
import type { MitigationActionParams, MitigationActionType } from '../generated/shapes.js';

/** Which actionParams member makes which action type (SEMANTICS.md 1.1). Typed so a missing type does not compile. */
export const TYPE_OF_MEMBER: Record<keyof MitigationActionParams, MitigationActionType> = {
  updateDeviceCertificateParams: 'UPDATE_DEVICE_CERTIFICATE',
  updateCACertificateParams: 'UPDATE_CA_CERTIFICATE',
  addThingsToThingGroupParams: 'ADD_THINGS_TO_THING_GROUP',
  replaceDefaultPolicyVersionParams: 'REPLACE_DEFAULT_POLICY_VERSION',
  enableIoTLoggingParams: 'ENABLE_IOT_LOGGING',
  publishFindingToSnsParams: 'PUBLISH_FINDING_TO_SNS',
};

/**
 * The cross-field rules of actionParams: exactly one member is set, it decides the action
 * type, and ENABLE_IOT_LOGGING may not use the DISABLED level (SEMANTICS.md D12).
 */
export function actionTypeOf(params: MitigationActionParams): MitigationActionType {
  const set = (Object.keys(params) as (keyof MitigationActionParams)[]).filter((k) => params[k] !== undefined);
  if (set.length !== 1) {
    throw new InvalidRequestException(
      `actionParams must set exactly one of ${Object.keys(TYPE_OF_MEMBER).join(', ')}; it sets ${set.length ? set.join(', ') : 'none'}.`,
    );
  }
  if (params.enableIoTLoggingParams?.logLevel === 'DISABLED') {
    throw new InvalidRequestException('actionParams.enableIoTLoggingParams.logLevel cannot be DISABLED for a mitigation action.');
  }
  return TYPE_OF_MEMBER[set[0]];
}

export const mitigationActionArn = (scope: { region: string; accountId: string }, name: string): string =>
  `arn:aws:iot:${scope.region}:${scope.accountId}:mitigationaction/${name}`;

/** Canonical JSON (sorted keys) so two equal parameter sets compare equal whatever the member order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
