import type { Context } from '../../context/context.js';
import type { SetDefaultPolicyVersionRequest } from '../../generated/shapes.js';
import { setDefaultPolicyVersion } from '../../registry/policies.js';

export async function SetDefaultPolicyVersion(input: SetDefaultPolicyVersionRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => setDefaultPolicyVersion(tx, ctx, input.policyName, input.policyVersionId));
}
