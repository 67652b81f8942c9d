import { randomUUID } from 'node:crypto';
import type { Context } from '../../context/context.js';
import { ResourceAlreadyExistsException } from '../../generated/errors.js';
import type { CreateThingRequest, CreateThingResponse } from '../../generated/shapes.js';
import { billingGroupLock, existingBillingGroup, joinBillingGroup } from '../../registry/billing-groups.js';
import { refreshDynamicGroupsOfThing } from '../../registry/things.js';
import { applyAttributes, checkThingAttributeCount, sameAttributes, thingArn } from './common.js';
import { usableThingType } from './thing-types.js';

/**
 * One insert (plus one for attributes) in the common case. The same name with the same type and
 * attributes answers the existing thing; anything different conflicts. `billingGroupName` must
 * name an existing billing group (else ResourceNotFoundException) and the new thing joins it; for
 * an existing thing it must be the billing group the thing is in (left out, it is not compared).
 */
export async function CreateThing(input: CreateThingRequest, ctx: Context): Promise<CreateThingResponse> {
  const attributes = applyAttributes({}, input.attributePayload);
  checkThingAttributeCount(input.thingName, attributes, input.thingTypeName !== undefined);
  const arn = thingArn(ctx, input.thingName);
  return ctx.store.transaction(async (tx) => {
    if (input.thingTypeName !== undefined) await usableThingType(tx, ctx, input.thingTypeName);
    const billingGroup = input.billingGroupName;
    if (billingGroup !== undefined) {
      await tx.lock(ctx, billingGroupLock(billingGroup));
      await existingBillingGroup(tx, ctx, billingGroup);
    }
    const now = ctx.clock.now();
    const thing = { name: input.thingName, thingId: randomUUID(), arn, thingTypeName: input.thingTypeName, version: 1, attributes, createdAt: now, modifiedAt: now };
    if (await tx.things.insert(ctx, thing)) {
      await refreshDynamicGroupsOfThing(tx, ctx, thing, true);
      if (billingGroup !== undefined) await joinBillingGroup(tx, ctx, thing.name, billingGroup);
      return { thingName: thing.name, thingArn: arn, thingId: thing.thingId };
    }
    const existing = (await tx.things.get(ctx, input.thingName))!;
    const sameBilling = billingGroup === undefined || (await tx.billingGroups.groupOfThing(ctx, existing.name)) === billingGroup;
    if (existing.thingTypeName === input.thingTypeName && sameAttributes(existing.attributes, attributes) && sameBilling) {
      return { thingName: existing.name, thingArn: existing.arn, thingId: existing.thingId };
    }
    throw new ResourceAlreadyExistsException(`Thing ${input.thingName} already exists with a different configuration.`, {
      resourceId: existing.thingId,
      resourceArn: existing.arn,
    });
  });
}
