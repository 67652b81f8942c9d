import type { Context } from '../../context/context.js';
import type { ListThingPrincipalsV2Request, ListThingPrincipalsV2Response, ThingPrincipalType } from '../../generated/shapes.js';
import { attachmentPage } from './principals.js';

export async function ListThingPrincipalsV2(input: ListThingPrincipalsV2Request, ctx: Context): Promise<ListThingPrincipalsV2Response> {
  const { rows, nextToken } = await attachmentPage(ctx, 'ListThingPrincipalsV2', { thingName: input.thingName }, input);
  return { thingPrincipalObjects: rows.map((r) => ({ principal: r.principal, thingPrincipalType: r.principalType as ThingPrincipalType })), nextToken };
}
