import type { IotService } from '../../generated/service.js';
import { CreateDimension } from './CreateDimension.js';
import { DeleteDimension } from './DeleteDimension.js';
import { DescribeDimension } from './DescribeDimension.js';
import { ListDimensions } from './ListDimensions.js';
import { UpdateDimension } from './UpdateDimension.js';

/** The dimensions family: TOPIC_FILTER dimensions that scope the message metrics of behaviors. */
export const dimensionsOperations: Partial<IotService> = {
  CreateDimension,
  DescribeDimension,
  ListDimensions,
  UpdateDimension,
  DeleteDimension,
};
