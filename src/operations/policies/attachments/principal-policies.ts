import type { Context } from '../../../context/context.js';
import type {
  AttachPrincipalPolicyRequest,
  DetachPrincipalPolicyRequest,
  ListPolicyPrincipalsRequest,
  ListPolicyPrincipalsResponse,
  ListPrincipalPoliciesRequest,
  ListPrincipalPoliciesResponse,
} from '../../../generated/shapes.js';
import { attachPolicy, detachPolicy } from '../../../registry/policies.js';
import { listPoliciesOf, listTargetsOf } from './lists.js';

/** The deprecated principal forms of AttachPolicy, DetachPolicy, ListAttachedPolicies and ListTargetsForPolicy. */
export async function AttachPrincipalPolicy(input: AttachPrincipalPolicyRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => attachPolicy(tx, ctx, input.policyName, input.principal));
}

export async function DetachPrincipalPolicy(input: DetachPrincipalPolicyRequest, ctx: Context): Promise<void> {
  await ctx.store.transaction((tx) => detachPolicy(tx, ctx, input.policyName, input.principal));
}

export async function ListPrincipalPolicies(input: ListPrincipalPoliciesRequest, ctx: Context): Promise<ListPrincipalPoliciesResponse> {
  return listPoliciesOf(ctx, 'ListPrincipalPolicies', {
    target: input.principal,
    recursive: false,
    marker: input.marker,
    pageSize: input.pageSize,
    ascending: input.ascendingOrder,
    member: 'principal',
  });
}

/** Thing groups are targets, not principals, so they are left out here. */
export async function ListPolicyPrincipals(input: ListPolicyPrincipalsRequest, ctx: Context): Promise<ListPolicyPrincipalsResponse> {
  const { items, nextMarker } = await listTargetsOf(ctx, 'ListPolicyPrincipals', {
    policyName: input.policyName,
    marker: input.marker,
    pageSize: input.pageSize,
    ascending: input.ascendingOrder,
    principalsOnly: true,
  });
  return { principals: items, nextMarker };
}
