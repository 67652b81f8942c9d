import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { ListSecurityProfilesRequest, ListSecurityProfilesResponse } from '../../generated/shapes.js';
import type { ProfileUse } from '../../store/security-profiles.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from '../things/common.js';

/**
 * Profiles in name order; `dimensionName` keeps those whose behaviors or retained metrics use the
 * dimension, `metricName` those that use the metric (custom or aws:). AWS: the two "cannot be used
 * in the same request".
 */
export async function ListSecurityProfiles(input: ListSecurityProfilesRequest, ctx: Context): Promise<ListSecurityProfilesResponse> {
  if (input.dimensionName !== undefined && input.metricName !== undefined) {
    throw new InvalidRequestException('dimensionName and metricName cannot be used in the same request.');
  }
  const using: ProfileUse | undefined =
    input.dimensionName !== undefined
      ? { kind: 'dimension', name: input.dimensionName }
      : input.metricName !== undefined
        ? { kind: 'metric', name: input.metricName }
        : undefined;
  const list = using ? `security-profiles/${using.kind}/${using.name}` : 'security-profiles';
  const limit = pageSizeOf('ListSecurityProfiles', input.maxResults);
  const rows = await ctx.store.repos.securityProfiles.list(ctx, { using, afterName: decodeAfter(list, input.nextToken), limit });
  const { items, nextToken } = page(rows, limit, list, (p) => p.name);
  return { securityProfileIdentifiers: items.map((p) => ({ name: p.name, arn: p.arn })), nextToken };
}
