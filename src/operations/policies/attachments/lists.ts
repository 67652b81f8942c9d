import type { Context } from '../../../context/context.js';
import { requirePolicy, resolveTarget, targetChain } from '../../../registry/policies.js';
import { pageSizeOf } from '../../pagination.js';
import { decodeMarker, page } from '../marker.js';

/**
 * The policies attached to a target (and, when `recursive`, to its ancestor groups), in name
 * order; shared by ListAttachedPolicies and the deprecated ListPrincipalPolicies.
 */
export async function listPoliciesOf(
  ctx: Context,
  operation: 'ListAttachedPolicies' | 'ListPrincipalPolicies',
  q: { target: string; recursive: boolean; marker?: string; pageSize?: number; ascending?: boolean; member?: string },
): Promise<{ policies: { policyName: string; policyArn: string }[]; nextMarker?: string }> {
  const ascending = q.ascending !== false;
  const limit = pageSizeOf(operation, q.pageSize);
  const { after } = decodeMarker('attached-policies', q.marker, ascending);
  const repos = ctx.store.repos;
  const t = await resolveTarget(repos, ctx, q.target, q.member);
  const targets = await targetChain(repos, ctx, t, q.recursive);
  const rows = await repos.policyTargets.policiesOf(ctx, targets, { after, ascending, limit });
  const { items, nextMarker } = page(rows, limit, 'attached-policies', (p) => p.name, ascending);
  return { policies: items.map((p) => ({ policyName: p.name, policyArn: p.arn })), nextMarker };
}

/** The targets of a policy in code-point order; shared by ListTargetsForPolicy and the deprecated ListPolicyPrincipals. */
export async function listTargetsOf(
  ctx: Context,
  operation: 'ListTargetsForPolicy' | 'ListPolicyPrincipals',
  q: { policyName: string; marker?: string; pageSize?: number; ascending?: boolean; principalsOnly?: boolean },
): Promise<{ items: string[]; nextMarker?: string }> {
  const ascending = q.ascending !== false;
  const limit = pageSizeOf(operation, q.pageSize);
  const list = q.principalsOnly ? 'policy-principals' : 'policy-targets';
  const { after } = decodeMarker(list, q.marker, ascending);
  await requirePolicy(ctx.store.repos, ctx, q.policyName);
  const rows = await ctx.store.repos.policyTargets.targetsOf(ctx, q.policyName, { after, ascending, limit, principalsOnly: q.principalsOnly });
  return page(rows, limit, list, (t) => t, ascending);
}
