import type { Scope } from '../base/scope.js';
import { InvalidRequestException } from '../generated/errors.js';
import type { AuditSuppression, ResourceIdentifier, ResourceType } from '../generated/shapes.js';
import type { SuppressionRecord } from '../store/audit-suppressions.js';
import type { Repos } from '../store/store.js';
import { canonicalJson } from './findings.js';

/**
 * Audit finding suppressions: a (check, resource) pair whose findings an audit marks suppressed
 * until the suppression's expiration date, or for ever. A suppression whose expiration date has
 * passed no longer exists: audits ignore it, Describe/Update answer ResourceNotFoundException, List
 * leaves it out, and a new one with the same check and resource may be created.
 */

/** The key the audit runner matches findings with: check name, newline, canonical JSON of the identifier. */
export const suppressionKey = (checkName: string, resourceIdentifier: ResourceIdentifier | string): string =>
  `${checkName}\n${typeof resourceIdentifier === 'string' ? resourceIdentifier : canonicalJson(resourceIdentifier)}`;

/** The suppressions in force at `now`, as suppressionKey values. */
export async function activeSuppressions(repos: Pick<Repos, 'auditSuppressions'>, scope: Scope, now: Date): Promise<Set<string>> {
  const live = await repos.auditSuppressions.live(scope, now);
  return new Set(live.map((s) => suppressionKey(s.checkName, s.resourceIdentifier)));
}

/** The resource type an identifier names, by its most specific member (stored for reference). */
const TYPE_OF_MEMBER: [keyof ResourceIdentifier, ResourceType][] = [
  ['deviceCertificateId', 'DEVICE_CERTIFICATE'],
  ['deviceCertificateArn', 'DEVICE_CERTIFICATE'],
  ['caCertificateId', 'CA_CERTIFICATE'],
  ['policyVersionIdentifier', 'IOT_POLICY'],
  ['cognitoIdentityPoolId', 'COGNITO_IDENTITY_POOL'],
  ['clientId', 'CLIENT_ID'],
  ['roleAliasArn', 'ROLE_ALIAS'],
  ['iamRoleArn', 'IAM_ROLE'],
  ['issuerCertificateIdentifier', 'ISSUER_CERTIFICATE'],
  ['account', 'ACCOUNT_SETTINGS'],
];

/** A known check name (InvalidRequestException naming it otherwise). */
export { requireCheckName } from './checks.js';

/** The canonical identifier and its resource type; an identifier with no member set is InvalidRequestException. */
export function identify(resourceIdentifier: ResourceIdentifier): { key: string; type: ResourceType } {
  const set = TYPE_OF_MEMBER.find(([m]) => resourceIdentifier[m] !== undefined);
  if (!set) throw new InvalidRequestException('resourceIdentifier must set one of its members (for example deviceCertificateId).');
  return { key: canonicalJson(resourceIdentifier), type: set[1] };
}

/**
 * The end of a suppression from expirationDate and suppressIndefinitely: exactly one must say
 * when it ends (a date, or suppressIndefinitely true), and a date must be in the future.
 * Returns the expiration, or undefined for an indefinite suppression.
 */
export function suppressionEnd(expirationDate: Date | undefined, suppressIndefinitely: boolean | undefined, now: Date): Date | undefined {
  if (suppressIndefinitely === true) {
    if (expirationDate !== undefined) throw new InvalidRequestException('Give either expirationDate or suppressIndefinitely true, not both.');
    return undefined;
  }
  if (expirationDate === undefined) throw new InvalidRequestException('Give expirationDate, or suppressIndefinitely true for a suppression without end.');
  if (expirationDate.getTime() <= now.getTime()) {
    throw new InvalidRequestException(`expirationDate ${expirationDate.toISOString()} is not in the future.`);
  }
  return expirationDate;
}

/** The suppression as the API returns it. */
export function suppressionOf(s: SuppressionRecord): AuditSuppression {
  return {
    checkName: s.checkName,
    resourceIdentifier: JSON.parse(s.resourceIdentifier) as ResourceIdentifier,
    expirationDate: s.expirationDate,
    suppressIndefinitely: s.suppressIndefinitely,
    description: s.description,
  };
}
