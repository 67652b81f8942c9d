import type { Context } from '../../context/context.js';
import type { ListPrincipalThingsV2Request, ListPrincipalThingsV2Response, ThingPrincipalType } from '../../generated/shapes.js';
import { attachmentPage } from './principals.js';

export async function ListPrincipalThingsV2(input: ListPrincipalThingsV2Request, ctx: Context): Promise<ListPrincipalThingsV2Response> {
  const { rows, nextToken } = await attachmentPage(ctx, 'ListPrincipalThingsV2', { principal: input.principal }, input);
  return { principalThingObjects: rows.map((r) => ({ thingName: r.thingName, thingPrincipalType: r.principalType as ThingPrincipalType })), nextToken };
}
