import type { Context } from '../../../context/context.js';
import type { ListAttachedPoliciesRequest, ListAttachedPoliciesResponse } from '../../../generated/shapes.js';
import { listPoliciesOf } from './lists.js';

/** `recursive` on a thing group also lists the policies of its ancestors. */
export async function ListAttachedPolicies(input: ListAttachedPoliciesRequest, ctx: Context): Promise<ListAttachedPoliciesResponse> {
  return listPoliciesOf(ctx, 'ListAttachedPolicies', { target: input.target, recursive: input.recursive === true, marker: input.marker, pageSize: input.pageSize });
}
