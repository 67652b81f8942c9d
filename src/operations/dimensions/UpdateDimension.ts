import type { Context } from '../../context/context.js';
import { updateDimension } from '../../detect/dimensions.js';
import type { UpdateDimensionRequest, UpdateDimensionResponse } from '../../generated/shapes.js';
import { describeDimension } from './describe.js';

/** The topic filters are replaced; profiles that use the dimension use the new ones. */
export async function UpdateDimension(input: UpdateDimensionRequest, ctx: Context): Promise<UpdateDimensionResponse> {
  const out = describeDimension(await ctx.store.transaction((tx) => updateDimension(tx, ctx, input.name, input.stringValues)));
  ctx.detect?.profilesChanged(ctx);
  return out;
}
