import type { Context } from '../../context/context.js';
import type { UpdateBillingGroupRequest, UpdateBillingGroupResponse } from '../../generated/shapes.js';
import { billingGroupLock, existingBillingGroup } from '../../registry/billing-groups.js';
import { checkExpectedVersion } from '../version.js';

/** A given description replaces the old one ('' removes it); left out, it stays. The version goes up by one either way. */
export async function UpdateBillingGroup(input: UpdateBillingGroupRequest, ctx: Context): Promise<UpdateBillingGroupResponse> {
  return ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, billingGroupLock(input.billingGroupName));
    const g = await existingBillingGroup(tx, ctx, input.billingGroupName);
    checkExpectedVersion('Billing group', g, input.expectedVersion);
    const given = input.billingGroupProperties.billingGroupDescription;
    const version = g.version + 1;
    await tx.billingGroups.update(ctx, { ...g, description: given === undefined ? g.description : given || undefined, version });
    return { version };
  });
}
