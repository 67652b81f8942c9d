import { InvalidRequestException } from '../generated/errors.js';

/**
 * Opaque page tokens: JSON naming the list they belong to and where the next page starts (a
 * keyset, so pages stay stable while other requests insert). nextToken members are base64url;
 * marker members are standard base64, the model's Marker pattern (`[A-Za-z0-9+/]+={0,2}`).
 * Decoding accepts both alphabets.
 */
export function encodeToken(list: string, position: Record<string, unknown>, alphabet: 'base64url' | 'base64' = 'base64url'): string {
  return Buffer.from(JSON.stringify({ l: list, ...position })).toString(alphabet);
}

export function decodeToken<T extends Record<string, unknown>>(list: string, token: string | undefined, member = 'nextToken'): T | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { l?: string } & T;
    if (parsed && typeof parsed === 'object' && parsed.l === list) return parsed;
  } catch {
    /* fall through */
  }
  throw new InvalidRequestException(`The ${member} '${token.slice(0, 64)}' is not valid for this list; pass the token of the previous response unchanged.`);
}

/**
 * The page size of every list operation when the request leaves its limit member (maxResults or
 * pageSize) out: AWS's documented default where the API reference states one ("The default is
 * 25", "paginated with a default page size of 25"), else Warden's choice, 25 like the documented
 * ones. The model allows 1..250 for every one of them but GetBehaviorModelTrainingSummaries
 * (TinyMaxResults, 1..10; "The default is 10").
 */
export const DEFAULT_PAGE_SIZES = {
  // documented by AWS
  GetBehaviorModelTrainingSummaries: { size: 10, documented: true },
  ListAuditFindings: { size: 25, documented: true },
  ListAuditMitigationActionsExecutions: { size: 25, documented: true },
  ListAuditMitigationActionsTasks: { size: 25, documented: true },
  ListAuditSuppressions: { size: 25, documented: true },
  ListAuditTasks: { size: 25, documented: true },
  ListCACertificates: { size: 25, documented: true },
  ListCertificates: { size: 25, documented: true },
  ListCustomMetrics: { size: 25, documented: true },
  ListDetectMitigationActionsExecutions: { size: 25, documented: true },
  ListDetectMitigationActionsTasks: { size: 25, documented: true },
  ListMitigationActions: { size: 25, documented: true },
  ListScheduledAudits: { size: 25, documented: true },
  // AWS documents none
  ListActiveViolations: { size: 25, documented: false },
  ListAttachedPolicies: { size: 25, documented: false },
  ListBillingGroups: { size: 25, documented: false },
  ListCertificatesByCA: { size: 25, documented: false },
  ListDimensions: { size: 25, documented: false },
  ListMetricValues: { size: 25, documented: false },
  ListPolicies: { size: 25, documented: false },
  ListPolicyPrincipals: { size: 25, documented: false },
  ListPrincipalPolicies: { size: 25, documented: false },
  ListPrincipalThings: { size: 25, documented: false },
  ListPrincipalThingsV2: { size: 25, documented: false },
  ListRelatedResourcesForAuditFinding: { size: 25, documented: false },
  ListRoleAliases: { size: 25, documented: false },
  ListSecurityProfiles: { size: 25, documented: false },
  ListSecurityProfilesForTarget: { size: 25, documented: false },
  ListTargetsForPolicy: { size: 25, documented: false },
  ListTargetsForSecurityProfile: { size: 25, documented: false },
  ListThingGroups: { size: 25, documented: false },
  ListThingGroupsForThing: { size: 25, documented: false },
  ListThingPrincipals: { size: 25, documented: false },
  ListThingPrincipalsV2: { size: 25, documented: false },
  ListThingTypes: { size: 25, documented: false },
  ListThings: { size: 25, documented: false },
  ListThingsInBillingGroup: { size: 25, documented: false },
  ListThingsInThingGroup: { size: 25, documented: false },
  ListViolationEvents: { size: 25, documented: false },
} as const satisfies Record<string, { size: number; documented: boolean }>;

export type PagedOperation = keyof typeof DEFAULT_PAGE_SIZES;

/** The limit of one page: the request's, else the operation's default. */
export const pageSizeOf = (operation: PagedOperation, given: number | undefined): number => given ?? DEFAULT_PAGE_SIZES[operation].size;
