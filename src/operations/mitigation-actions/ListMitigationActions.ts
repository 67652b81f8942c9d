import type { Context } from '../../context/context.js';
import type { ListMitigationActionsRequest, ListMitigationActionsResponse } from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';


export async function ListMitigationActions(input: ListMitigationActionsRequest, ctx: Context): Promise<ListMitigationActionsResponse> {
  const limit = pageSizeOf('ListMitigationActions', input.maxResults);
  const after = decodeToken<{ after: string }>('mitigation-actions', input.nextToken);
  const rows = await ctx.store.mitigationActions.list(ctx, { actionType: input.actionType, afterName: after?.after, limit });
  const page = rows.slice(0, limit);
  return {
    actionIdentifiers: page.map((a) => ({ actionName: a.name, actionArn: a.arn, creationDate: a.createdAt })),
    nextToken: rows.length > limit ? encodeToken('mitigation-actions', { after: page[page.length - 1].name }) : undefined,
  };
}
