import type { Context } from '../../context/context.js';
import type { DescribeBillingGroupRequest, DescribeBillingGroupResponse } from '../../generated/shapes.js';
import { existingBillingGroup } from '../../registry/billing-groups.js';

export async function DescribeBillingGroup(input: DescribeBillingGroupRequest, ctx: Context): Promise<DescribeBillingGroupResponse> {
  const g = await existingBillingGroup(ctx.store.repos, ctx, input.billingGroupName);
  return {
    billingGroupName: g.name,
    billingGroupId: g.groupId,
    billingGroupArn: g.arn,
    version: g.version,
    billingGroupProperties: { billingGroupDescription: g.description },
    billingGroupMetadata: { creationDate: g.createdAt },
  };
}
