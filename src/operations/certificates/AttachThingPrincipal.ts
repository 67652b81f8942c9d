import type { Context } from '../../context/context.js';
import type { AttachThingPrincipalRequest, AttachThingPrincipalResponse } from '../../generated/shapes.js';
import { attachThingPrincipal } from '../../registry/certificates.js';

/** The rules (EXCLUSIVE_THING, re-attaching) are attachThingPrincipal's. */
export async function AttachThingPrincipal(input: AttachThingPrincipalRequest, ctx: Context): Promise<AttachThingPrincipalResponse> {
  const type = input.thingPrincipalType ?? 'NON_EXCLUSIVE_THING';
  await ctx.store.transaction((tx) => attachThingPrincipal(tx, ctx, input.thingName, input.principal, type));
  return {};
}
