import type { Context } from '../../context/context.js';
import { attachSecurityProfile } from '../../detect/profiles.js';
import type { AttachSecurityProfileRequest, AttachSecurityProfileResponse } from '../../generated/shapes.js';

/** Targets: a thing group's ARN, or all/things, all/registered-things, all/unregistered-things; at most five profiles each. */
export async function AttachSecurityProfile(input: AttachSecurityProfileRequest, ctx: Context): Promise<AttachSecurityProfileResponse> {
  await ctx.store.transaction((tx) => attachSecurityProfile(tx, ctx, input.securityProfileName, input.securityProfileTargetArn));
  ctx.detect?.profilesChanged(ctx);
  return {};
}
