import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { GetPolicyVersionRequest, GetPolicyVersionResponse } from '../../generated/shapes.js';
import { requirePolicy, versionNumber } from '../../registry/policies.js';

/** A version never changes once created, so its lastModifiedDate is its creationDate. */
export async function GetPolicyVersion(input: GetPolicyVersionRequest, ctx: Context): Promise<GetPolicyVersionResponse> {
  const p = await requirePolicy(ctx.store.repos, ctx, input.policyName);
  const v = await ctx.store.repos.policies.getVersion(ctx, p.name, versionNumber(p.name, input.policyVersionId));
  if (!v) throw new ResourceNotFoundException(`Policy ${p.name} has no version ${input.policyVersionId}.`);
  return {
    policyArn: p.arn,
    policyName: p.name,
    policyDocument: v.document,
    policyVersionId: v.versionId,
    isDefaultVersion: v.versionId === p.defaultVersionId,
    creationDate: v.createdAt,
    lastModifiedDate: v.createdAt,
    generationId: p.generationId,
  };
}
