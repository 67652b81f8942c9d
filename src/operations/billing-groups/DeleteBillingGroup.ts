import type { Context } from '../../context/context.js';
import type { DeleteBillingGroupRequest, DeleteBillingGroupResponse } from '../../generated/shapes.js';
import { deleteBillingGroup } from '../../registry/billing-groups.js';
import { checkExpectedVersion } from '../version.js';

/**
 * A missing group succeeds (the model lists no ResourceNotFoundException). A group that still has
 * things is deleted too: its things are then in no billing group.
 */
export async function DeleteBillingGroup(input: DeleteBillingGroupRequest, ctx: Context): Promise<DeleteBillingGroupResponse> {
  await ctx.store.transaction((tx) => deleteBillingGroup(tx, ctx, input.billingGroupName, (g) => checkExpectedVersion('Billing group', g, input.expectedVersion)));
  return {};
}
