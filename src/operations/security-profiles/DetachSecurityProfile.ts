import type { Context } from '../../context/context.js';
import { detachSecurityProfile } from '../../detect/profiles.js';
import type { DetachSecurityProfileRequest, DetachSecurityProfileResponse } from '../../generated/shapes.js';

/** The profile must exist and be attached to the target (ResourceNotFoundException otherwise). */
export async function DetachSecurityProfile(input: DetachSecurityProfileRequest, ctx: Context): Promise<DetachSecurityProfileResponse> {
  await ctx.store.transaction((tx) => detachSecurityProfile(tx, ctx, input.securityProfileName, input.securityProfileTargetArn, ctx.detect));
  ctx.detect?.profilesChanged(ctx);
  return {};
}
