import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { DescribeThingRequest, DescribeThingResponse } from '../../generated/shapes.js';

export async function DescribeThing(input: DescribeThingRequest, ctx: Context): Promise<DescribeThingResponse> {
  const repos = ctx.store.repos;
  // Both by the thing's name, at once (a billing membership never outlives its thing).
  const [t, billingGroupName] = await Promise.all([repos.things.get(ctx, input.thingName), repos.billingGroups.groupOfThing(ctx, input.thingName)]);
  if (!t) throw new ResourceNotFoundException(`Thing ${input.thingName} does not exist.`);
  return {
    defaultClientId: t.name,
    thingName: t.name,
    thingId: t.thingId,
    thingArn: t.arn,
    thingTypeName: t.thingTypeName,
    attributes: t.attributes,
    version: t.version,
    billingGroupName,
  };
}
