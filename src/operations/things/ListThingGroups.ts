import type { Context } from '../../context/context.js';
import type { ListThingGroupsRequest, ListThingGroupsResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from './common.js';
import { existingGroup } from './thing-groups.js';

/**
 * Groups in name order. `recursive` (default true) lists every descendant of `parentGroup`, or
 * every group without one; `recursive: false` only its direct children, or only top groups.
 */
export async function ListThingGroups(input: ListThingGroupsRequest, ctx: Context): Promise<ListThingGroupsResponse> {
  const repos = ctx.store.repos;
  const recursive = input.recursive ?? true;
  const parent = input.parentGroup === undefined ? undefined : await existingGroup(repos, ctx, input.parentGroup);
  const limit = pageSizeOf('ListThingGroups', input.maxResults);
  const rows = await repos.thingGroups.list(ctx, {
    parentName: parent && !recursive ? parent.name : undefined,
    underPath: parent && recursive ? parent.path : undefined,
    topOnly: !parent && !recursive,
    namePrefix: input.namePrefixFilter,
    afterName: decodeAfter('thing-groups', input.nextToken),
    limit,
  });
  const { items, nextToken } = page(rows, limit, 'thing-groups', (g) => g.name);
  return { thingGroups: items.map((g) => ({ groupName: g.name, groupArn: g.arn })), nextToken };
}
