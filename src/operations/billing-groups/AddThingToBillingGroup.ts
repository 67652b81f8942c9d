import type { Context } from '../../context/context.js';
import type { AddThingToBillingGroupRequest, AddThingToBillingGroupResponse } from '../../generated/shapes.js';
import { addThingToBillingGroup } from '../../registry/billing-groups.js';
import { nameOrArn } from '../things/common.js';

/** A thing already in another billing group moves to this one (a thing is in at most one). */
export async function AddThingToBillingGroup(input: AddThingToBillingGroupRequest, ctx: Context): Promise<AddThingToBillingGroupResponse> {
  const billingGroupName = nameOrArn(ctx, 'billinggroup', input.billingGroupName, input.billingGroupArn, 'billingGroup');
  const thingName = nameOrArn(ctx, 'thing', input.thingName, input.thingArn, 'thing');
  await ctx.store.transaction((tx) => addThingToBillingGroup(tx, ctx, { thingName, billingGroupName }));
  return {};
}
