import type { Context } from '../../../context/context.js';
import type { ListTargetsForPolicyRequest, ListTargetsForPolicyResponse } from '../../../generated/shapes.js';
import { listTargetsOf } from './lists.js';

export async function ListTargetsForPolicy(input: ListTargetsForPolicyRequest, ctx: Context): Promise<ListTargetsForPolicyResponse> {
  const { items, nextMarker } = await listTargetsOf(ctx, 'ListTargetsForPolicy', { policyName: input.policyName, marker: input.marker, pageSize: input.pageSize });
  return { targets: items, nextMarker };
}
