import type { Context } from '../../context/context.js';
import { deleteDimension } from '../../detect/dimensions.js';
import type { DeleteDimensionRequest, DeleteDimensionResponse } from '../../generated/shapes.js';

/** A missing dimension succeeds; one that a security profile uses is InvalidRequestException. */
export async function DeleteDimension(input: DeleteDimensionRequest, ctx: Context): Promise<DeleteDimensionResponse> {
  await ctx.store.transaction((tx) => deleteDimension(tx, ctx, input.name));
  return {};
}
