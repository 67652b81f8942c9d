import type { Context } from '../../context/context.js';
import type { DetachThingPrincipalRequest, DetachThingPrincipalResponse } from '../../generated/shapes.js';
import { detachThingPrincipal } from '../../registry/certificates.js';

/** The thing must exist; a principal that is not attached to it is already detached (success). */
export async function DetachThingPrincipal(input: DetachThingPrincipalRequest, ctx: Context): Promise<DetachThingPrincipalResponse> {
  await detachThingPrincipal(ctx.store.repos, ctx, input.thingName, input.principal);
  return {};
}
