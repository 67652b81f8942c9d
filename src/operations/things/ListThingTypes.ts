import type { Context } from '../../context/context.js';
import type { ListThingTypesRequest, ListThingTypesResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from './common.js';
import { thingTypeDefinition } from './thing-types.js';

/** Thing types in name order; `thingTypeName` narrows the list to that one type. */
export async function ListThingTypes(input: ListThingTypesRequest, ctx: Context): Promise<ListThingTypesResponse> {
  const limit = pageSizeOf('ListThingTypes', input.maxResults);
  const rows = await ctx.store.repos.thingTypes.list(ctx, { name: input.thingTypeName, afterName: decodeAfter('thing-types', input.nextToken), limit });
  const { items, nextToken } = page(rows, limit, 'thing-types', (t) => t.name);
  return { thingTypes: items.map(thingTypeDefinition), nextToken };
}
