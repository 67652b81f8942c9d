import type { Context } from '../../context/context.js';
import type { CreateBillingGroupRequest, CreateBillingGroupResponse } from '../../generated/shapes.js';
import { createBillingGroup } from '../../registry/billing-groups.js';

/** The same name and description answers the existing group; another description is ResourceAlreadyExistsException. */
export async function CreateBillingGroup(input: CreateBillingGroupRequest, ctx: Context): Promise<CreateBillingGroupResponse> {
  const g = await ctx.store.transaction((tx) =>
    createBillingGroup(tx, ctx, { name: input.billingGroupName, description: input.billingGroupProperties?.billingGroupDescription, tags: input.tags }),
  );
  return { billingGroupName: g.name, billingGroupArn: g.arn, billingGroupId: g.groupId };
}
