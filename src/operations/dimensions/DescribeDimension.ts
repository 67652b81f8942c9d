import type { Context } from '../../context/context.js';
import { existingDimension } from '../../detect/dimensions.js';
import type { DescribeDimensionRequest, DescribeDimensionResponse } from '../../generated/shapes.js';
import { describeDimension } from './describe.js';

export async function DescribeDimension(input: DescribeDimensionRequest, ctx: Context): Promise<DescribeDimensionResponse> {
  return describeDimension(await existingDimension(ctx.store.repos, ctx, input.name));
}
