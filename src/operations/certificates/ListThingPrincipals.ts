import type { Context } from '../../context/context.js';
import type { ListThingPrincipalsRequest, ListThingPrincipalsResponse } from '../../generated/shapes.js';
import { attachmentPage } from './principals.js';

export async function ListThingPrincipals(input: ListThingPrincipalsRequest, ctx: Context): Promise<ListThingPrincipalsResponse> {
  const { rows, nextToken } = await attachmentPage(ctx, 'ListThingPrincipals', { thingName: input.thingName }, input);
  return { principals: rows.map((r) => r.principal), nextToken };
}
