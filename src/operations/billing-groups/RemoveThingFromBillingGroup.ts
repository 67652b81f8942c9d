import type { Context } from '../../context/context.js';
import type { RemoveThingFromBillingGroupRequest, RemoveThingFromBillingGroupResponse } from '../../generated/shapes.js';
import { removeThingFromBillingGroup } from '../../registry/billing-groups.js';
import { nameOrArn } from '../things/common.js';

/** The group and the thing must exist; a thing that is not in the group succeeds and stays where it is. */
export async function RemoveThingFromBillingGroup(input: RemoveThingFromBillingGroupRequest, ctx: Context): Promise<RemoveThingFromBillingGroupResponse> {
  const billingGroupName = nameOrArn(ctx, 'billinggroup', input.billingGroupName, input.billingGroupArn, 'billingGroup');
  const thingName = nameOrArn(ctx, 'thing', input.thingName, input.thingArn, 'thing');
  await ctx.store.transaction((tx) => removeThingFromBillingGroup(tx, ctx, { thingName, billingGroupName }));
  return {};
}
