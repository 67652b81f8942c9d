import type { Context } from '../../context/context.js';
import type { DeletePolicyVersionRequest } from '../../generated/shapes.js';
import { deletePolicyVersion } from '../../registry/policies.js';

/** Never the default version (DeleteConflictException). */
export async function DeletePolicyVersion(input: DeletePolicyVersionRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => deletePolicyVersion(tx, ctx, input.policyName, input.policyVersionId));
}
