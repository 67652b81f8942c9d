import type { Context } from '../../context/context.js';
import type { ListPolicyVersionsRequest, ListPolicyVersionsResponse } from '../../generated/shapes.js';
import { requirePolicy } from '../../registry/policies.js';

/** All versions (at most five), newest first. */
export async function ListPolicyVersions(input: ListPolicyVersionsRequest, ctx: Context): Promise<ListPolicyVersionsResponse> {
  const p = await requirePolicy(ctx.store.repos, ctx, input.policyName);
  const versions = await ctx.store.repos.policies.listVersions(ctx, p.name);
  return { policyVersions: versions.map((v) => ({ versionId: v.versionId, isDefaultVersion: v.versionId === p.defaultVersionId, createDate: v.createdAt })) };
}
