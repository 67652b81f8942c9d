import type { Context } from '../../context/context.js';
import { describeProfile, existingProfile } from '../../detect/profiles.js';
import type { DescribeSecurityProfileRequest, DescribeSecurityProfileResponse } from '../../generated/shapes.js';

export async function DescribeSecurityProfile(input: DescribeSecurityProfileRequest, ctx: Context): Promise<DescribeSecurityProfileResponse> {
  return describeProfile(await existingProfile(ctx.store.repos, ctx, input.securityProfileName));
}
