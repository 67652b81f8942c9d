import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { ListTagsForResourceRequest, ListTagsForResourceResponse } from '../../generated/shapes.js';
import { MAX_TAGS_PER_RESOURCE, requireTaggable } from '../../registry/resources.js';
import { decodeToken, encodeToken } from '../pagination.js';

/** Tags in key order. A page holds up to 50 (the most a resource can have), so nextToken is rare. */
export async function ListTagsForResource(input: ListTagsForResourceRequest, ctx: Context): Promise<ListTagsForResourceResponse> {
  await requireTaggable(ctx.store.repos, ctx, input.resourceArn);
  const position = decodeToken<{ after: string; arn: string }>('tags', input.nextToken);
  if (position && position.arn !== input.resourceArn) throw new InvalidRequestException(`The nextToken belongs to another resource than ${input.resourceArn}.`);
  const limit = MAX_TAGS_PER_RESOURCE;
  const rows = await ctx.store.repos.tags.page(ctx, input.resourceArn, { after: position?.after, limit });
  const tags = rows.slice(0, limit);
  return {
    tags,
    nextToken: rows.length > limit ? encodeToken('tags', { after: tags[tags.length - 1].Key, arn: input.resourceArn }) : undefined,
  };
}
