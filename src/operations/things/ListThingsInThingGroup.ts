import type { Context } from '../../context/context.js';
import type { ListThingsInThingGroupRequest, ListThingsInThingGroupResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from './common.js';
import { existingGroup } from './thing-groups.js';

/** Thing names in name order; `recursive` adds the things of every descendant group (each thing once). */
export async function ListThingsInThingGroup(input: ListThingsInThingGroupRequest, ctx: Context): Promise<ListThingsInThingGroupResponse> {
  const repos = ctx.store.repos;
  const g = await existingGroup(repos, ctx, input.thingGroupName);
  const groups = input.recursive ? await repos.thingGroups.subtreeNames(ctx, g.path) : [g.name];
  const limit = pageSizeOf('ListThingsInThingGroup', input.maxResults);
  const rows = await repos.thingGroupMembers.thingNamesIn(ctx, groups, decodeAfter(`things-in/${g.name}`, input.nextToken), limit);
  const { items, nextToken } = page(rows, limit, `things-in/${g.name}`, (n) => n);
  return { things: items, nextToken };
}
