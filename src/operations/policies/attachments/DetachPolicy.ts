import type { Context } from '../../../context/context.js';
import type { DetachPolicyRequest } from '../../../generated/shapes.js';
import { detachPolicy } from '../../../registry/policies.js';

/** Detaching a policy that is not attached succeeds (the model lists no not-found error here). */
export async function DetachPolicy(input: DetachPolicyRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => detachPolicy(tx, ctx, input.policyName, input.target));
}
