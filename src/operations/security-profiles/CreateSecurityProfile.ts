import type { Context } from '../../context/context.js';
import { createSecurityProfile } from '../../detect/profiles.js';
import type { CreateSecurityProfileRequest, CreateSecurityProfileResponse } from '../../generated/shapes.js';

/** Behaviors are validated as ValidateSecurityProfileBehaviors does; what it reports is InvalidRequestException. */
export async function CreateSecurityProfile(input: CreateSecurityProfileRequest, ctx: Context): Promise<CreateSecurityProfileResponse> {
  const p = await ctx.store.transaction((tx) => createSecurityProfile(tx, ctx, input));
  ctx.detect?.profilesChanged(ctx);
  return { securityProfileName: p.name, securityProfileArn: p.arn };
}
