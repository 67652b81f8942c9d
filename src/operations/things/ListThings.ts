import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { ListThingsRequest, ListThingsResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from './common.js';

/**
 * Things in name order, keyset pages (stable while others insert). `attributeName` alone lists the
 * things having that attribute; with `attributeValue` (a prefix when usePrefixAttributeValue) those
 * with that value.
 */
export async function ListThings(input: ListThingsRequest, ctx: Context): Promise<ListThingsResponse> {
  if (input.attributeValue !== undefined && input.attributeName === undefined) {
    throw new InvalidRequestException('attributeValue needs attributeName: name the attribute to compare.');
  }
  const limit = pageSizeOf('ListThings', input.maxResults);
  const rows = await ctx.store.repos.things.list(ctx, {
    thingTypeName: input.thingTypeName,
    attributeName: input.attributeName,
    attributeValue: input.attributeValue,
    prefix: input.usePrefixAttributeValue,
    afterName: decodeAfter('things', input.nextToken),
    limit,
  });
  const { items, nextToken } = page(rows, limit, 'things', (t) => t.name);
  return {
    things: items.map((t) => ({ thingName: t.name, thingTypeName: t.thingTypeName, thingArn: t.arn, attributes: t.attributes, version: t.version })),
    nextToken,
  };
}
