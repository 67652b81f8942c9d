import type { Context } from '../../context/context.js';
import { deleteSecurityProfile } from '../../detect/profiles.js';
import type { DeleteSecurityProfileRequest, DeleteSecurityProfileResponse } from '../../generated/shapes.js';

/** A missing profile succeeds (the model lists no ResourceNotFoundException); its attachments and tags go with it. */
export async function DeleteSecurityProfile(input: DeleteSecurityProfileRequest, ctx: Context): Promise<DeleteSecurityProfileResponse> {
  await ctx.store.transaction((tx) => deleteSecurityProfile(tx, ctx, input.securityProfileName, input.expectedVersion, ctx.detect));
  ctx.detect?.profilesChanged(ctx);
  return {};
}
