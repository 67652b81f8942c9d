import type { Context } from '../../context/context.js';
import type { DetachThingPrincipalRequest, DetachThingPrincipalResponse } from '../../generated/shapes.js';
import { policiesChanged } from '../../registry/policy-events.js';
import { requireThing } from './principals.js';

/** The thing must exist; a principal that is not attached to it is already detached (success). */
export async function DetachThingPrincipal(input: DetachThingPrincipalRequest, ctx: Context): Promise<DetachThingPrincipalResponse> {
  await requireThing(ctx.store.repos, ctx, input.thingName);
  await ctx.store.repos.thingPrincipals.delete(ctx, input.thingName, input.principal);
  policiesChanged(ctx);
  return {};
}
