import type { DescribeDimensionResponse, DimensionType } from '../../generated/shapes.js';
import type { DimensionRecord } from '../../store/dimensions.js';

/** DescribeDimension's and UpdateDimension's answer. */
export const describeDimension = (d: DimensionRecord): DescribeDimensionResponse => ({
  name: d.name,
  arn: d.arn,
  type: d.type as DimensionType,
  stringValues: d.stringValues,
  creationDate: d.createdAt,
  lastModifiedDate: d.lastModifiedAt,
});
