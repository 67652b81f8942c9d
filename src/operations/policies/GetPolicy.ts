import type { Context } from '../../context/context.js';
import type { GetPolicyRequest, GetPolicyResponse } from '../../generated/shapes.js';
import { requirePolicy } from '../../registry/policies.js';

export async function GetPolicy(input: GetPolicyRequest, ctx: Context): Promise<GetPolicyResponse> {
  const p = await requirePolicy(ctx.store.repos, ctx, input.policyName);
  const v = await ctx.store.repos.policies.getVersion(ctx, p.name, Number(p.defaultVersionId));
  return {
    policyName: p.name,
    policyArn: p.arn,
    policyDocument: v?.document,
    defaultVersionId: p.defaultVersionId,
    creationDate: p.createdAt,
    lastModifiedDate: p.modifiedAt,
    generationId: p.generationId,
  };
}
