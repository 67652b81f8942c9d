import type { Context } from '../../context/context.js';
import { violationFromRecord } from '../../detect/violations.js';
import type { ListActiveViolationsRequest, ListActiveViolationsResponse } from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';


/** Violations still in alarm, newest first; suppressed alerts only with listSuppressedAlerts. */
export async function ListActiveViolations(input: ListActiveViolationsRequest, ctx: Context): Promise<ListActiveViolationsResponse> {
  const from = decodeToken<{ t: number; v: string }>('active-violations', input.nextToken);
  const limit = pageSizeOf('ListActiveViolations', input.maxResults);
  const rows = await ctx.store.repos.violations.listActive(
    ctx,
    {
      thingName: input.thingName,
      securityProfileName: input.securityProfileName,
      criteriaType: input.behaviorCriteriaType,
      verificationState: input.verificationState,
      includeSuppressed: input.listSuppressedAlerts,
    },
    from,
    limit,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    activeViolations: page.map(violationFromRecord),
    nextToken: rows.length > limit ? encodeToken('active-violations', { t: last.violationStartTime.getTime(), v: last.violationId }) : undefined,
  };
}
