import type { Context } from '../../context/context.js';
import { createDimension } from '../../detect/dimensions.js';
import type { CreateDimensionRequest, CreateDimensionResponse } from '../../generated/shapes.js';

/** A retry with the same clientRequestToken and contents answers the existing dimension; other repeats of the name conflict. */
export async function CreateDimension(input: CreateDimensionRequest, ctx: Context): Promise<CreateDimensionResponse> {
  const d = await ctx.store.transaction((tx) => createDimension(tx, ctx, input));
  return { name: d.name, arn: d.arn };
}
