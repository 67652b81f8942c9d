import type { Scope } from '../base/scope.js';
import type { Repos } from '../store/repos.js';

/** One policy that applies, with the document of its default version. */
export interface EffectivePolicy {
  policyName: string;
  policyArn: string;
  document: string;
}

/**
 * The policies attached to any of `targets` (principal or thing group ARNs, taken as they are)
 * and, when `thingName` is given, to every group the thing belongs to and all their ancestors;
 * each once, in name order, with its default version's document. GetEffectivePolicies and the
 * broker (through effectivePolicyDocuments) both ask this one lookup.
 */
export async function effectivePolicies(repos: Repos, scope: Scope, targets: readonly string[], thingName?: string): Promise<EffectivePolicy[]> {
  const all = [...targets];
  if (thingName !== undefined) {
    const groups = await repos.registryLookups.groupsWithAncestors(scope, { thing: thingName });
    all.push(...groups.map((g) => g.arn));
  }
  const attached = await repos.policyTargets.policiesOf(scope, [...new Set(all)], {});
  const policies = await repos.policies.withDefaultDocuments(scope, attached.map((p) => p.name));
  return policies.map((p) => ({ policyName: p.name, policyArn: p.arn, document: p.document }));
}

/** The default versions' documents of the policies attached to the certificate and, when `thingName` is given (the thing attached to the certificate whose name is the client id), to its thing groups and all their ancestor groups. */
export async function effectivePolicyDocuments(repos: Repos, scope: Scope, certificateArn: string, thingName?: string): Promise<{ policyName: string; document: string }[]> {
  return (await effectivePolicies(repos, scope, [certificateArn], thingName)).map(({ policyName, document }) => ({ policyName, document }));
}
