import type { Context } from '../../context/context.js';
import type { DeprecateThingTypeRequest, DeprecateThingTypeResponse } from '../../generated/shapes.js';
import { existingThingType } from './thing-types.js';

/** Deprecating an already deprecated type keeps its first deprecation date; undoDeprecate clears it. */
export async function DeprecateThingType(input: DeprecateThingTypeRequest, ctx: Context): Promise<DeprecateThingTypeResponse> {
  await ctx.store.transaction(async (tx) => {
    const t = await existingThingType(tx, ctx, input.thingTypeName);
    if (input.undoDeprecate) await tx.thingTypes.setDeprecated(ctx, t.name, undefined);
    else if (!t.deprecated) await tx.thingTypes.setDeprecated(ctx, t.name, ctx.clock.now());
  });
  return {};
}
