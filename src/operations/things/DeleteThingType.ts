import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { DeleteThingTypeRequest, DeleteThingTypeResponse } from '../../generated/shapes.js';
import { existingThingType, THING_TYPE_DELETE_WAIT_MS } from './thing-types.js';

/**
 * AWS: "You can delete thing types only after they have been deprecated" and "Before you can delete
 * a thing type, wait for five minutes after you deprecate it". Things still of the type block it.
 */
export async function DeleteThingType(input: DeleteThingTypeRequest, ctx: Context): Promise<DeleteThingTypeResponse> {
  await ctx.store.transaction(async (tx) => {
    const t = await existingThingType(tx, ctx, input.thingTypeName);
    if (!t.deprecated || !t.deprecatedAt) throw new InvalidRequestException(`Thing type ${t.name} must be deprecated before it can be deleted.`);
    const waited = ctx.clock.now().getTime() - t.deprecatedAt.getTime();
    if (waited < THING_TYPE_DELETE_WAIT_MS) {
      const left = Math.ceil((THING_TYPE_DELETE_WAIT_MS - waited) / 1000);
      throw new InvalidRequestException(`Thing type ${t.name} was deprecated less than 5 minutes ago; it can be deleted in ${left} seconds.`);
    }
    if (await tx.things.anyOfType(ctx, t.name)) throw new InvalidRequestException(`Thing type ${t.name} cannot be deleted while things are associated with it.`);
    await tx.thingTypes.delete(ctx, t.name);
    await tx.tags.removeAll(ctx, t.arn);
  });
  return {};
}
