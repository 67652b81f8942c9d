import { randomUUID } from 'node:crypto';
import type { Context } from '../../api/context.js';
import { ResourceAlreadyExistsException, ResourceNotFoundException } from '../../generated/errors.js';
import type { CreateThingRequest, CreateThingResponse } from '../../generated/shapes.js';
import { refreshDynamicGroupsOfThing } from '../../registry/things.js';
import { applyAttributes, checkThingAttributeCount, sameAttributes, thingArn } from './common.js';
import { usableThingType } from './thing-types.js';

/**
 * One insert (plus one for attributes) in the common case. The same name with the same type and
 * attributes answers the existing thing; anything different conflicts.
 */
export async function CreateThing(input: CreateThingRequest, ctx: Context): Promise<CreateThingResponse> {
  if (input.billingGroupName !== undefined) {
    throw new ResourceNotFoundException(`Billing group ${input.billingGroupName} does not exist (Warden has no billing groups).`);
  }
  const attributes = applyAttributes({}, input.attributePayload);
  checkThingAttributeCount(input.thingName, attributes, input.thingTypeName !== undefined);
  const arn = thingArn(ctx, input.thingName);
  return ctx.store.transaction(async (tx) => {
    if (input.thingTypeName !== undefined) await usableThingType(tx, ctx, input.thingTypeName);
    const now = ctx.clock.now();
    const thing = { name: input.thingName, thingId: randomUUID(), arn, thingTypeName: input.thingTypeName, version: 1, attributes, createdAt: now, modifiedAt: now };
    if (await tx.things.insert(ctx, thing)) {
      await refreshDynamicGroupsOfThing(tx, ctx, thing, true);
      return { thingName: thing.name, thingArn: arn, thingId: thing.thingId };
    }
    const existing = (await tx.things.get(ctx, input.thingName))!;
    if (existing.thingTypeName === input.thingTypeName && sameAttributes(existing.attributes, attributes)) {
      return { thingName: existing.name, thingArn: existing.arn, thingId: existing.thingId };
    }
    throw new ResourceAlreadyExistsException(`Thing ${input.thingName} already exists with a different configuration.`, {
      resourceId: existing.thingId,
      resourceArn: existing.arn,
    });
  });
}
