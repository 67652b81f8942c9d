import type { Context } from '../../context/context.js';
import type { UntagResourceRequest, UntagResourceResponse } from '../../generated/shapes.js';
import { requireTaggable } from '../../registry/resources.js';

/** Removes the given keys; keys the resource does not have are ignored. */
export async function UntagResource(input: UntagResourceRequest, ctx: Context): Promise<UntagResourceResponse> {
  await ctx.store.transaction(async (tx) => {
    await requireTaggable(tx, ctx, input.resourceArn);
    await tx.tags.remove(ctx, input.resourceArn, input.tagKeys);
  });
  return {};
}
