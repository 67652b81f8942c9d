import type { Context } from '../../context/context.js';
import { readFinding } from '../../audit/findings.js';
import { InvalidRequestException, ResourceNotFoundException } from '../../generated/errors.js';
import type { ListRelatedResourcesForAuditFindingRequest, ListRelatedResourcesForAuditFindingResponse } from '../../generated/shapes.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';


/** The finding's relatedResources in their stored order, a page at a time. */
export async function ListRelatedResourcesForAuditFinding(
  input: ListRelatedResourcesForAuditFindingRequest,
  ctx: Context,
): Promise<ListRelatedResourcesForAuditFindingResponse> {
  const from = decodeToken<{ f: string; i: number }>('related-resources', input.nextToken);
  if (from && (from.f !== input.findingId || !Number.isInteger(from.i) || from.i < 0)) {
    throw new InvalidRequestException(`The nextToken belongs to another finding than ${input.findingId}.`);
  }
  const finding = await readFinding(ctx.store.repos, ctx, input.findingId);
  if (!finding) throw new ResourceNotFoundException(`Audit finding ${input.findingId} does not exist.`);
  const all = finding.relatedResources ?? [];
  const start = from?.i ?? 0;
  const end = start + pageSizeOf('ListRelatedResourcesForAuditFinding', input.maxResults);
  return {
    relatedResources: all.slice(start, end),
    nextToken: end < all.length ? encodeToken('related-resources', { f: input.findingId, i: end }) : undefined,
  };
}
