import type { Context } from '../../../context/context.js';
import { InvalidRequestException, ResourceNotFoundException } from '../../../generated/errors.js';
import type { GetEffectivePoliciesRequest, GetEffectivePoliciesResponse } from '../../../generated/shapes.js';
import { effectivePolicies } from '../../../registry/effective-policies.js';
import { resolveTarget, targetChain } from '../../../registry/policies.js';

/**
 * The policies attached to `principal` (a thing group principal brings its ancestors' too) plus
 * those attached to every group `thingName` belongs to and their ancestors, each once, with the
 * document of its default version.
 */
export async function GetEffectivePolicies(input: GetEffectivePoliciesRequest, ctx: Context): Promise<GetEffectivePoliciesResponse> {
  if (input.principal === undefined && input.thingName === undefined) {
    throw new InvalidRequestException('GetEffectivePolicies needs a principal, a thingName or both.');
  }
  const repos = ctx.store.repos;
  const targets: string[] = [];
  if (input.principal !== undefined) {
    targets.push(...(await targetChain(repos, ctx, await resolveTarget(repos, ctx, input.principal, 'principal'), true)));
  }
  if (input.thingName !== undefined && !(await repos.registryLookups.exists(ctx, 'thing', input.thingName))) {
    throw new ResourceNotFoundException(`Thing ${input.thingName} does not exist.`);
  }
  const policies = await effectivePolicies(repos, ctx, targets, input.thingName);
  return { effectivePolicies: policies.map((p) => ({ policyName: p.policyName, policyArn: p.policyArn, policyDocument: p.document })) };
}
