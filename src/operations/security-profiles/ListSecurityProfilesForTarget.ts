import type { Context } from '../../context/context.js';
import { targetsForListing } from '../../detect/profiles.js';
import type { ListSecurityProfilesForTargetRequest, ListSecurityProfilesForTargetResponse } from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';

/**
 * The profiles attached to the target, each with the target it is attached to, in (profile name,
 * target ARN) order. With `recursive`, a thing group's ancestors count too: their profiles apply to
 * the group's things.
 */
export async function ListSecurityProfilesForTarget(input: ListSecurityProfilesForTargetRequest, ctx: Context): Promise<ListSecurityProfilesForTargetResponse> {
  const repos = ctx.store.repos;
  const recursive = input.recursive === true;
  const targets = await targetsForListing(repos, ctx, input.securityProfileTargetArn, recursive);
  const list = `security-profiles-for-target/${targets[0]}/${recursive}`;
  const at = decodeToken<{ p: string; t: string }>(list, input.nextToken);
  const limit = pageSizeOf('ListSecurityProfilesForTarget', input.maxResults);
  const rows = await repos.securityProfiles.mappingsOf(ctx, targets, at && [at.p, at.t], limit);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    securityProfileTargetMappings: items.map((m) => ({ securityProfileIdentifier: { name: m.profileName, arn: m.profileArn }, target: { arn: m.targetArn } })),
    nextToken: rows.length > limit ? encodeToken(list, { p: last.profileName, t: last.targetArn }) : undefined,
  };
}
