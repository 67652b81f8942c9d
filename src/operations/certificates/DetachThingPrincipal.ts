import type { Context } from '../../context/context.js';
import type { DetachThingPrincipalRequest, DetachThingPrincipalResponse } from '../../generated/shapes.js';
import { detachThingPrincipal } from '../../registry/certificates.js';

/**
 * The thing must exist; a principal that is not attached to it is already detached (success). In a
 * transaction so that the policy notice to the other nodes commits with the change, before the answer.
 */
export async function DetachThingPrincipal(input: DetachThingPrincipalRequest, ctx: Context): Promise<DetachThingPrincipalResponse> {
  await ctx.store.transaction((tx) => detachThingPrincipal(tx, ctx, input.thingName, input.principal));
  return {};
}
