import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { ListThingGroupsForThingRequest, ListThingGroupsForThingResponse } from '../../generated/shapes.js';
import { thingExists } from '../../registry/things.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page, thingGroupArn } from './common.js';

/** The groups the thing is directly in (static and dynamic), in name order. */
export async function ListThingGroupsForThing(input: ListThingGroupsForThingRequest, ctx: Context): Promise<ListThingGroupsForThingResponse> {
  const repos = ctx.store.repos;
  if (!(await thingExists(repos, ctx, input.thingName))) throw new ResourceNotFoundException(`Thing ${input.thingName} does not exist.`);
  const limit = pageSizeOf('ListThingGroupsForThing', input.maxResults);
  const list = `groups-of/${input.thingName}`;
  const rows = await repos.thingGroupMembers.groupNamesOfThing(ctx, input.thingName, decodeAfter(list, input.nextToken), limit);
  const { items, nextToken } = page(rows, limit, list, (n) => n);
  return { thingGroups: items.map((name) => ({ groupName: name, groupArn: thingGroupArn(ctx, name) })), nextToken };
}
