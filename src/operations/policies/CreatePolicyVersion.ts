import type { Context } from '../../context/context.js';
import type { CreatePolicyVersionRequest, CreatePolicyVersionResponse } from '../../generated/shapes.js';
import { createPolicyVersion } from '../../registry/policies.js';

export async function CreatePolicyVersion(input: CreatePolicyVersionRequest, ctx: Context): Promise<CreatePolicyVersionResponse> {
  const v = await ctx.store.transaction((tx) =>
    createPolicyVersion(tx, ctx, { policyName: input.policyName, document: input.policyDocument, setAsDefault: input.setAsDefault }),
  );
  return { policyArn: v.policyArn, policyDocument: input.policyDocument, policyVersionId: v.versionId, isDefaultVersion: v.isDefaultVersion };
}
