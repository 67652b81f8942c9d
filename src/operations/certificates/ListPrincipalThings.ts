import type { Context } from '../../context/context.js';
import type { ListPrincipalThingsRequest, ListPrincipalThingsResponse } from '../../generated/shapes.js';
import { attachmentPage } from './principals.js';

export async function ListPrincipalThings(input: ListPrincipalThingsRequest, ctx: Context): Promise<ListPrincipalThingsResponse> {
  const { rows, nextToken } = await attachmentPage(ctx, 'ListPrincipalThings', { principal: input.principal }, input);
  return { things: rows.map((r) => r.thingName), nextToken };
}
