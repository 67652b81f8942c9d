import type { IotService } from '../../generated/service.js';
import { AddThingToBillingGroup } from './AddThingToBillingGroup.js';
import { CreateBillingGroup } from './CreateBillingGroup.js';
import { DeleteBillingGroup } from './DeleteBillingGroup.js';
import { DescribeBillingGroup } from './DescribeBillingGroup.js';
import { ListBillingGroups } from './ListBillingGroups.js';
import { ListThingsInBillingGroup } from './ListThingsInBillingGroup.js';
import { RemoveThingFromBillingGroup } from './RemoveThingFromBillingGroup.js';
import { UpdateBillingGroup } from './UpdateBillingGroup.js';

/** The billing groups family: groups that things join for cost allocation (a thing is in at most one). */
export const billingGroupsOperations: Partial<IotService> = {
  CreateBillingGroup,
  DescribeBillingGroup,
  ListBillingGroups,
  UpdateBillingGroup,
  DeleteBillingGroup,
  AddThingToBillingGroup,
  RemoveThingFromBillingGroup,
  ListThingsInBillingGroup,
};
