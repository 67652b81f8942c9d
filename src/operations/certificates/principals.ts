import type { Context } from '../../context/context.js';
import type { ThingPrincipalType } from '../../generated/shapes.js';
import { awsError } from '../../registry/aws-messages.js';
import { assertPrincipalExists } from '../../registry/certificates.js';
import type { ThingPrincipalRecord } from '../../store/thing-principals.js';
import { decodeToken, encodeToken, pageSizeOf } from '../pagination.js';

export { requireThing } from '../../registry/certificates.js';

interface PageInput {
  nextToken?: string;
  maxResults?: number;
  thingPrincipalType?: ThingPrincipalType;
}

/**
 * One keyset page of attachments, by thing (ordered by principal) or by principal (ordered by
 * thing name). The thing (AWS's text when it is missing) or the principal's certificate must exist.
 */
export async function attachmentPage(
  ctx: Context,
  operation: 'ListThingPrincipals' | 'ListThingPrincipalsV2' | 'ListPrincipalThings' | 'ListPrincipalThingsV2',
  by: { thingName: string } | { principal: string },
  input: PageInput,
): Promise<{ rows: ThingPrincipalRecord[]; nextToken?: string }> {
  const limit = pageSizeOf(operation, input.maxResults);
  const repo = ctx.store.repos.thingPrincipals;
  const list = 'thingName' in by ? `thing-principals:${by.thingName}` : `principal-things:${by.principal}`;
  const after = decodeToken<{ after: string }>(list, input.nextToken)?.after;
  const opts = { after: typeof after === 'string' ? after : undefined, principalType: input.thingPrincipalType, limit };
  let rows: ThingPrincipalRecord[];
  if ('thingName' in by) {
    if (!(await repo.thingExists(ctx, by.thingName))) throw awsError('listThingPrincipalsNoThing', { thingName: by.thingName });
    rows = await repo.byThing(ctx, by.thingName, opts);
  } else {
    await assertPrincipalExists(ctx.store.repos, ctx, by.principal);
    rows = await repo.byPrincipal(ctx, by.principal, opts);
  }
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const key = last && ('thingName' in by ? last.principal : last.thingName);
  return { rows: page, nextToken: rows.length > limit ? encodeToken(list, { after: key }) : undefined };
}
