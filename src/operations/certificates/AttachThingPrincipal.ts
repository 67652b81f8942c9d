import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { AttachThingPrincipalRequest, AttachThingPrincipalResponse } from '../../generated/shapes.js';
import { assertPrincipalExists, certificateIdOfPrincipal } from '../../registry/certificates.js';
import { policiesChanged } from '../../registry/policy-events.js';
import { requireThing } from './principals.js';

/**
 * Attaches a principal (certificate ARN or Cognito id) to a thing. EXCLUSIVE_THING: "The thing
 * will be the only thing that's attached to the principal", so neither an exclusive attachment
 * next to other things nor any attachment next to another thing's exclusive one is allowed.
 * Attaching again succeeds and sets the type.
 */
export async function AttachThingPrincipal(input: AttachThingPrincipalRequest, ctx: Context): Promise<AttachThingPrincipalResponse> {
  const type = input.thingPrincipalType ?? 'NON_EXCLUSIVE_THING';
  await ctx.store.transaction(async (tx) => {
    const cert = certificateIdOfPrincipal(input.principal);
    await tx.lock(ctx, cert ? `cert/${cert.id}` : `principal/${input.principal}`);
    await requireThing(tx, ctx, input.thingName);
    await assertPrincipalExists(tx, ctx, input.principal);
    const others = (await tx.thingPrincipals.byPrincipal(ctx, input.principal, { limit: 250 })).filter((r) => r.thingName !== input.thingName);
    const exclusive = others.find((r) => r.principalType === 'EXCLUSIVE_THING');
    if (exclusive) {
      throw new InvalidRequestException(`Principal ${input.principal} is attached exclusively to thing ${exclusive.thingName}; detach it there first.`);
    }
    if (type === 'EXCLUSIVE_THING' && others.length > 0) {
      throw new InvalidRequestException(
        `Principal ${input.principal} is already attached to ${others.map((r) => r.thingName).slice(0, 5).join(', ')}; it cannot be attached exclusively to ${input.thingName}.`,
      );
    }
    await tx.thingPrincipals.put(ctx, { thingName: input.thingName, principal: input.principal, principalType: type, createdAt: ctx.clock.now() });
    policiesChanged(ctx);
  });
  return {};
}
