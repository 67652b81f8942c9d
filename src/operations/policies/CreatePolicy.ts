import type { Context } from '../../context/context.js';
import type { CreatePolicyRequest, CreatePolicyResponse } from '../../generated/shapes.js';
import { createPolicy } from '../../registry/policies.js';
import { checkNewTags } from '../../registry/resources.js';

export async function CreatePolicy(input: CreatePolicyRequest, ctx: Context): Promise<CreatePolicyResponse> {
  checkNewTags(input.tags);
  const p = await ctx.store.transaction((tx) => createPolicy(tx, ctx, { policyName: input.policyName, document: input.policyDocument, tags: input.tags }));
  return { policyName: p.name, policyArn: p.arn, policyDocument: input.policyDocument, policyVersionId: p.defaultVersionId };
}
