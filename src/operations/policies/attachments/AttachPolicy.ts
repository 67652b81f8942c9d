import type { Context } from '../../../context/context.js';
import type { AttachPolicyRequest } from '../../../generated/shapes.js';
import { attachPolicy } from '../../../registry/policies.js';

/** Target: a certificate ARN, a thing group ARN or a Cognito identity id; at most 10 policies per target. */
export async function AttachPolicy(input: AttachPolicyRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => attachPolicy(tx, ctx, input.policyName, input.target));
}
