import type { Context } from '../../context/context.js';
import { canonicalJson, findingOf } from '../../audit/findings.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { ListAuditFindingsRequest, ListAuditFindingsResponse } from '../../generated/shapes.js';
import type { FindingPosition } from '../../store/findings.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';


/**
 * Findings of one audit (taskId: in check-name, then finding-id order) or of the audits in a
 * time window (startTime and endTime: newest finding first). AWS: "You must specify either the
 * taskId or the startTime and endTime, but not both." listSuppressedFindings, per AWS: "If this
 * parameter isn't provided, the response will list both suppressed and unsuppressed findings";
 * true lists only suppressed ones, false only unsuppressed ones.
 */
export async function ListAuditFindings(input: ListAuditFindingsRequest, ctx: Context): Promise<ListAuditFindingsResponse> {
  const { taskId, startTime, endTime } = input;
  const timed = startTime !== undefined || endTime !== undefined;
  if (taskId !== undefined && timed) throw new InvalidRequestException('Specify either taskId or startTime and endTime, not both.');
  if (taskId === undefined && !timed) throw new InvalidRequestException('Specify either taskId or startTime and endTime.');
  if (timed && (startTime === undefined || endTime === undefined)) {
    throw new InvalidRequestException(`${startTime === undefined ? 'startTime' : 'endTime'} is required together with ${startTime === undefined ? 'endTime' : 'startTime'}.`);
  }
  if (startTime && endTime && startTime > endTime) throw new InvalidRequestException('startTime must not be after endTime.');

  const list = taskId !== undefined ? 'audit-findings/task' : 'audit-findings/time';
  const from = decodeToken<FindingPosition & Record<string, unknown>>(list, input.nextToken);
  const limit = pageSizeOf('ListAuditFindings', input.maxResults);
  const rows = await ctx.store.repos.findings.list(
    ctx,
    {
      taskId,
      checkName: input.checkName,
      resourceIdentifier: input.resourceIdentifier ? canonicalJson(input.resourceIdentifier) : undefined,
      window: startTime && endTime ? { start: startTime, end: endTime } : undefined,
      suppressed: input.listSuppressedFindings,
    },
    from,
    limit,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const position: FindingPosition | undefined = last && (taskId !== undefined ? { c: last.checkName, f: last.findingId } : { t: last.findingTime.getTime(), f: last.findingId });
  return {
    findings: page.map(findingOf),
    nextToken: rows.length > limit && position ? encodeToken(list, position) : undefined,
  };
}
