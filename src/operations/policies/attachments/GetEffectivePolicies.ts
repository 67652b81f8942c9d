import type { Context } from '../../../context/context.js';
import { InvalidRequestException, ResourceNotFoundException } from '../../../generated/errors.js';
import type { GetEffectivePoliciesRequest, GetEffectivePoliciesResponse } from '../../../generated/shapes.js';
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
  if (input.thingName !== undefined) {
    if (!(await repos.registryLookups.exists(ctx, 'thing', input.thingName))) throw new ResourceNotFoundException(`Thing ${input.thingName} does not exist.`);
    const groups = await repos.registryLookups.groupsWithAncestors(ctx, { thing: input.thingName });
    targets.push(...groups.map((g) => g.arn));
  }
  const attached = await repos.policyTargets.policiesOf(ctx, [...new Set(targets)], {});
  const policies = await repos.policies.withDefaultDocuments(ctx, attached.map((p) => p.name));
  return { effectivePolicies: policies.map((p) => ({ policyName: p.name, policyArn: p.arn, policyDocument: p.document })) };
}
