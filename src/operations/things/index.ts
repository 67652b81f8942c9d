import type { IotService } from '../../generated/service.js';
import { AddThingToThingGroup } from './AddThingToThingGroup.js';
import { CreateDynamicThingGroup } from './CreateDynamicThingGroup.js';
import { CreateThing } from './CreateThing.js';
import { CreateThingGroup } from './CreateThingGroup.js';
import { CreateThingType } from './CreateThingType.js';
import { DeleteDynamicThingGroup } from './DeleteDynamicThingGroup.js';
import { DeleteThing } from './DeleteThing.js';
import { DeleteThingGroup } from './DeleteThingGroup.js';
import { DeleteThingType } from './DeleteThingType.js';
import { DeprecateThingType } from './DeprecateThingType.js';
import { DescribeThing } from './DescribeThing.js';
import { DescribeThingGroup } from './DescribeThingGroup.js';
import { DescribeThingType } from './DescribeThingType.js';
import { ListThingGroups } from './ListThingGroups.js';
import { ListThingGroupsForThing } from './ListThingGroupsForThing.js';
import { ListThings } from './ListThings.js';
import { ListThingsInThingGroup } from './ListThingsInThingGroup.js';
import { ListThingTypes } from './ListThingTypes.js';
import { RemoveThingFromThingGroup } from './RemoveThingFromThingGroup.js';
import { UpdateDynamicThingGroup } from './UpdateDynamicThingGroup.js';
import { UpdateThing } from './UpdateThing.js';
import { UpdateThingGroup } from './UpdateThingGroup.js';
import { UpdateThingGroupsForThing } from './UpdateThingGroupsForThing.js';

/** The things family's operations: things, thing types, static and dynamic thing groups. */
export const thingsOperations: Partial<IotService> = {
  CreateThing,
  DescribeThing,
  ListThings,
  UpdateThing,
  DeleteThing,
  CreateThingType,
  DescribeThingType,
  ListThingTypes,
  DeprecateThingType,
  DeleteThingType,
  CreateThingGroup,
  DescribeThingGroup,
  ListThingGroups,
  UpdateThingGroup,
  DeleteThingGroup,
  AddThingToThingGroup,
  RemoveThingFromThingGroup,
  ListThingsInThingGroup,
  ListThingGroupsForThing,
  UpdateThingGroupsForThing,
  CreateDynamicThingGroup,
  UpdateDynamicThingGroup,
  DeleteDynamicThingGroup,
};
