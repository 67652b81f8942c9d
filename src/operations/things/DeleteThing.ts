import { checkExpectedVersion } from '../version.js';
import type { Context } from '../../context/context.js';
import type { DeleteThingRequest, DeleteThingResponse } from '../../generated/shapes.js';
import { awsError } from '../../registry/aws-messages.js';
import { leaveBillingGroup } from '../../registry/billing-groups.js';

/**
 * A missing thing succeeds (AWS documents this). A thing with principals attached is refused as
 * AWS does (InvalidRequestException, AWS's text from aws-messages.ts).
 * Its thing group memberships go with it, and it leaves its billing group.
 */
export async function DeleteThing(input: DeleteThingRequest, ctx: Context): Promise<DeleteThingResponse> {
  await ctx.store.transaction(async (tx) => {
    const t = await tx.things.get(ctx, input.thingName);
    if (!t) return;
    checkExpectedVersion('Thing', t, input.expectedVersion);
    if (await tx.things.hasPrincipals(ctx, t.name)) {
      throw awsError('thingStillAttached', { thingName: t.name });
    }
    await tx.thingGroupMembers.removeThing(ctx, t.name);
    await leaveBillingGroup(tx, ctx, t.name);
    await tx.things.delete(ctx, t.name);
  });
  return {};
}
