import { randomUUID } from 'node:crypto';
import type { Context } from '../../context/context.js';
import { ResourceAlreadyExistsException } from '../../generated/errors.js';
import type { CreateThingTypeRequest, CreateThingTypeResponse } from '../../generated/shapes.js';
import { canonicalJson } from '../../actions/params.js';
import { thingTypeArn } from './common.js';

/** The same name with identical properties answers the existing type; different properties conflict. */
export async function CreateThingType(input: CreateThingTypeRequest, ctx: Context): Promise<CreateThingTypeResponse> {
  const arn = thingTypeArn(ctx, input.thingTypeName);
  const properties = input.thingTypeProperties ?? {};
  return ctx.store.transaction(async (tx) => {
    const rec = { name: input.thingTypeName, thingTypeId: randomUUID(), arn, properties, deprecated: false, createdAt: ctx.clock.now() };
    if (await tx.thingTypes.insert(ctx, rec)) {
      if (input.tags?.length) await tx.tags.put(ctx, arn, input.tags);
      return { thingTypeName: rec.name, thingTypeArn: arn, thingTypeId: rec.thingTypeId };
    }
    const existing = (await tx.thingTypes.get(ctx, input.thingTypeName))!;
    if (canonicalJson(existing.properties) === canonicalJson(properties)) {
      return { thingTypeName: existing.name, thingTypeArn: existing.arn, thingTypeId: existing.thingTypeId };
    }
    throw new ResourceAlreadyExistsException(`Thing type ${input.thingTypeName} already exists with different properties.`, {
      resourceId: existing.thingTypeId,
      resourceArn: existing.arn,
    });
  });
}
