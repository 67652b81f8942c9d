import { checkExpectedVersion } from '../version.js';
import type { Context } from '../../context/context.js';
import { InvalidRequestException, ResourceNotFoundException } from '../../generated/errors.js';
import type { UpdateThingRequest, UpdateThingResponse } from '../../generated/shapes.js';
import { refreshDynamicGroupsOfThing } from '../../registry/things.js';
import { applyAttributes, checkThingAttributeCount } from './common.js';
import { usableThingType } from './thing-types.js';

/**
 * Type and attributes change, the version goes up by one, and the thing's dynamic groups follow.
 * A new type must exist and not be deprecated; keeping a deprecated type it already has is fine.
 */
export async function UpdateThing(input: UpdateThingRequest, ctx: Context): Promise<UpdateThingResponse> {
  if (input.removeThingType && input.thingTypeName !== undefined) {
    throw new InvalidRequestException('Give either thingTypeName or removeThingType, not both.');
  }
  await ctx.store.transaction(async (tx) => {
    const t = await tx.things.get(ctx, input.thingName);
    if (!t) throw new ResourceNotFoundException(`Thing ${input.thingName} does not exist.`);
    checkExpectedVersion('Thing', t, input.expectedVersion);
    let thingTypeName = t.thingTypeName;
    if (input.removeThingType) thingTypeName = undefined;
    else if (input.thingTypeName !== undefined && input.thingTypeName !== t.thingTypeName) {
      thingTypeName = (await usableThingType(tx, ctx, input.thingTypeName, 'UpdateThing')).name;
    }
    const attributes = applyAttributes(t.attributes, input.attributePayload);
    checkThingAttributeCount(t.name, attributes, thingTypeName !== undefined);
    const updated = { ...t, thingTypeName, attributes, version: t.version + 1, modifiedAt: ctx.clock.now() };
    await tx.things.update(ctx, updated);
    await refreshDynamicGroupsOfThing(tx, ctx, updated, false);
  });
  return {};
}
