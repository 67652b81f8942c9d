import type { Context } from '../../context/context.js';
import type { TagResourceRequest, TagResourceResponse } from '../../generated/shapes.js';
import { tagResource } from '../../registry/resources.js';

/** Adds or overwrites tags; at most 50 per resource (LimitExceededException). */
export async function TagResource(input: TagResourceRequest, ctx: Context): Promise<TagResourceResponse> {
  await ctx.store.transaction((tx) => tagResource(tx, ctx, input.resourceArn, input.tags));
  return {};
}
