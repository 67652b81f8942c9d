import type { Context } from '../../api/context.js';
import { InvalidRequestException, VersionConflictException } from '../../generated/errors.js';
import type { DeleteThingRequest, DeleteThingResponse } from '../../generated/shapes.js';
import { leaveBillingGroup } from '../../registry/billing-groups.js';

/**
 * A missing thing succeeds (AWS documents this). A thing with principals attached is refused as
 * AWS does: "Cannot delete. Thing <name> is still attached to one or more principals".
 * Its thing group memberships go with it, and it leaves its billing group.
 */
export async function DeleteThing(input: DeleteThingRequest, ctx: Context): Promise<DeleteThingResponse> {
  await ctx.store.transaction(async (tx) => {
    const t = await tx.things.get(ctx, input.thingName);
    if (!t) return;
    if (input.expectedVersion !== undefined && input.expectedVersion !== t.version) {
      throw new VersionConflictException(`Thing ${t.name} is at version ${t.version}, not the expected version ${input.expectedVersion}.`);
    }
    if (await tx.things.hasPrincipals(ctx, t.name)) {
      throw new InvalidRequestException(`Cannot delete. Thing ${t.name} is still attached to one or more principals.`);
    }
    await tx.thingGroupMembers.removeThing(ctx, t.name);
    await leaveBillingGroup(tx, ctx, t.name);
    await tx.things.delete(ctx, t.name);
  });
  return {};
}
