import type { Context } from '../../context/context.js';
import type { DeletePolicyRequest } from '../../generated/shapes.js';
import { deletePolicy } from '../../registry/policies.js';

/** Refused (DeleteConflictException) while attached to any target or while it has versions besides the default. */
export async function DeletePolicy(input: DeletePolicyRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => deletePolicy(tx, ctx, input.policyName));
}
