import type { Context } from '../../context/context.js';
import { eventFromRecord } from '../../detect/violations.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { ListViolationEventsRequest, ListViolationEventsResponse } from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';


/** Violation events (in-alarm, alarm-cleared, alarm-invalidated) in [startTime, endTime], newest first. */
export async function ListViolationEvents(input: ListViolationEventsRequest, ctx: Context): Promise<ListViolationEventsResponse> {
  if (input.startTime > input.endTime) throw new InvalidRequestException('startTime must not be after endTime.');
  const from = decodeToken<{ t: number; v: string; e: string }>('violation-events', input.nextToken);
  const limit = pageSizeOf('ListViolationEvents', input.maxResults);
  const rows = await ctx.store.repos.violations.listEvents(
    ctx,
    {
      start: input.startTime.getTime(),
      end: input.endTime.getTime(),
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
    violationEvents: page.map(eventFromRecord),
    nextToken: rows.length > limit ? encodeToken('violation-events', { t: last.eventTime.getTime(), v: last.violationId, e: last.eventType }) : undefined,
  };
}
