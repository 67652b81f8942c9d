import type { Context } from '../../context/context.js';
import { describeProfile, updateSecurityProfile } from '../../detect/profiles.js';
import type { UpdateSecurityProfileRequest, UpdateSecurityProfileResponse } from '../../generated/shapes.js';

/** Given members replace the stored ones; the delete flags remove theirs; the answer is the whole profile at its new version. */
export async function UpdateSecurityProfile(input: UpdateSecurityProfileRequest, ctx: Context): Promise<UpdateSecurityProfileResponse> {
  const p = await ctx.store.transaction((tx) => updateSecurityProfile(tx, ctx, input, ctx.detect));
  ctx.detect?.profilesChanged(ctx);
  return describeProfile(p);
}
