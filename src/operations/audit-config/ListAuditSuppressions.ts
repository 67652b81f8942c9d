import type { Context } from '../../context/context.js';
import { identify, requireCheckName, suppressionOf } from '../../audit/suppressions.js';
import type { ListAuditSuppressionsRequest, ListAuditSuppressionsResponse } from '../../generated/shapes.js';
import { FOREVER, type SuppressionPosition } from '../../store/audit-suppressions.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';


/**
 * Live suppressions by expiration date, ascending unless ascendingOrder is false (AWS: "If
 * parameter isn't provided, ascendingOrder=true"); indefinite ones count as the latest. Ties in
 * check-name, then identifier order.
 */
export async function ListAuditSuppressions(input: ListAuditSuppressionsRequest, ctx: Context): Promise<ListAuditSuppressionsResponse> {
  if (input.checkName !== undefined) requireCheckName(input.checkName);
  const resourceIdentifier = input.resourceIdentifier ? identify(input.resourceIdentifier).key : undefined;
  const ascending = input.ascendingOrder !== false;
  const list = ascending ? 'audit-suppressions/asc' : 'audit-suppressions/desc';
  const from = decodeToken<SuppressionPosition & Record<string, unknown>>(list, input.nextToken);
  const limit = pageSizeOf('ListAuditSuppressions', input.maxResults);
  const rows = await ctx.store.repos.auditSuppressions.page(ctx, { checkName: input.checkName, resourceIdentifier }, ctx.clock.now(), ascending, from, limit);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    suppressions: page.map(suppressionOf),
    nextToken: rows.length > limit ? encodeToken(list, { e: last.expirationDate?.getTime() ?? FOREVER, c: last.checkName, r: last.resourceIdentifier }) : undefined,
  };
}
