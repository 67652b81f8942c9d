import type { Context } from '../../context/context.js';
import type { DescribeThingTypeRequest, DescribeThingTypeResponse } from '../../generated/shapes.js';
import { existingThingType, thingTypeDefinition } from './thing-types.js';

export async function DescribeThingType(input: DescribeThingTypeRequest, ctx: Context): Promise<DescribeThingTypeResponse> {
  const t = await existingThingType(ctx.store.repos, ctx, input.thingTypeName);
  return { thingTypeId: t.thingTypeId, ...thingTypeDefinition(t) };
}
