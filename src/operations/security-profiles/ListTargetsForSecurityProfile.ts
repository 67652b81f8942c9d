import type { Context } from '../../context/context.js';
import { existingProfile } from '../../detect/profiles.js';
import type { ListTargetsForSecurityProfileRequest, ListTargetsForSecurityProfileResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from '../things/common.js';

/** The profile's targets in ARN (code-point) order. */
export async function ListTargetsForSecurityProfile(input: ListTargetsForSecurityProfileRequest, ctx: Context): Promise<ListTargetsForSecurityProfileResponse> {
  const repos = ctx.store.repos;
  const p = await existingProfile(repos, ctx, input.securityProfileName);
  const list = `security-profile-targets/${p.name}`;
  const limit = pageSizeOf('ListTargetsForSecurityProfile', input.maxResults);
  const rows = await repos.securityProfiles.targetsOf(ctx, p.name, decodeAfter(list, input.nextToken), limit);
  const { items, nextToken } = page(rows, limit, list, (arn) => arn);
  return { securityProfileTargets: items.map((arn) => ({ arn })), nextToken };
}
