import type { ExpressionBuilder } from 'kysely';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { Database } from './schema.generated.js';
import { all, first, prepared, qb, run } from './sql.js';

/** A suppression of one check's findings on one resource. */
export interface SuppressionRecord {
  checkName: string;
  /** Canonical JSON (sorted keys) of the ResourceIdentifier, so equal identifiers are equal strings. */
  resourceIdentifier: string;
  resourceType: string;
  /** Undefined when the suppression is indefinite. */
  expirationDate?: Date;
  suppressIndefinitely: boolean;
  description?: string;
  createdAt: Date;
  /** The token of the CreateAuditSuppression that made it (a retry with it succeeds). */
  clientRequestToken?: string;
}

export interface SuppressionFilter {
  checkName?: string;
  resourceIdentifier?: string;
}

/** Where a page ends: the sort key (expiration, indefinite ones as FOREVER), check name, identifier. */
export interface SuppressionPosition {
  e: number;
  c: string;
  r: string;
}

/** Sorts indefinite suppressions after every dated one (later than any Date can be, below 2^53). */
export const FOREVER = 9_000_000_000_000_000;

const COLUMNS = ['check_name', 'resource_identifier', 'resource_type', 'expiration_date', 'suppress_indefinitely', 'description', 'created_at', 'client_request_token'] as const;

interface Row {
  check_name: string;
  resource_identifier: string;
  resource_type: string;
  expiration_date: number | null;
  suppress_indefinitely: number;
  description: string | null;
  created_at: number;
  client_request_token: string | null;
}

const fromRow = (r: Row): SuppressionRecord => ({
  checkName: r.check_name,
  resourceIdentifier: r.resource_identifier,
  resourceType: r.resource_type,
  expirationDate: r.expiration_date === null ? undefined : new Date(Number(r.expiration_date)),
  suppressIndefinitely: Number(r.suppress_indefinitely) === 1,
  description: r.description ?? undefined,
  createdAt: new Date(Number(r.created_at)),
  clientRequestToken: r.client_request_token ?? undefined,
});

type Eb = ExpressionBuilder<Database, 'audit_suppressions'>;

/** A suppression whose expiration date has passed no longer exists for the API or the audits. */
const live = (eb: Eb, now: number) => eb.or([eb('expiration_date', 'is', null), eb('expiration_date', '>', now)]);

/** The sort key: the expiration date, indefinite suppressions as FOREVER. */
const sortKey = (eb: Eb) => eb.fn.coalesce('expiration_date', eb.lit(FOREVER));

const byKey = prepared((q, accountId: string, region: string, checkName: string, resourceIdentifier: string, now: number) =>
  q
    .selectFrom('audit_suppressions')
    .select(COLUMNS)
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('check_name', '=', checkName)
    .where('resource_identifier', '=', resourceIdentifier)
    .where((eb) => live(eb, now)),
);

const liveKeys = prepared((q, accountId: string, region: string, now: number) =>
  q
    .selectFrom('audit_suppressions')
    .select(['check_name', 'resource_identifier'])
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where((eb) => live(eb, now)),
);

export class AuditSuppressionRepo {
  constructor(private readonly db: Driver) {}

  /** The suppression of this check and resource, if it exists and has not expired at `now`. */
  async get(scope: Scope, checkName: string, resourceIdentifier: string, now: Date): Promise<SuppressionRecord | undefined> {
    const row = await byKey(this.db, scope.accountId, scope.region, checkName, resourceIdentifier, now.getTime()).first();
    return row && fromRow(row);
  }

  /** The live suppression a CreateAuditSuppression token made, if any. */
  async byToken(scope: Scope, token: string, now: Date): Promise<SuppressionRecord | undefined> {
    const query = qb(this.db)
      .selectFrom('audit_suppressions')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('client_request_token', '=', token)
      .where((eb) => live(eb, now.getTime()));
    const row = await first(this.db, query);
    return row && fromRow(row);
  }

  /** Inserts, replacing an expired row of the same key (the caller has checked there is no live one). */
  async put(scope: Scope, s: SuppressionRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('audit_suppressions')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          check_name: s.checkName,
          resource_identifier: s.resourceIdentifier,
          resource_type: s.resourceType,
          expiration_date: s.expirationDate?.getTime() ?? null,
          suppress_indefinitely: s.suppressIndefinitely ? 1 : 0,
          description: s.description ?? null,
          created_at: s.createdAt.getTime(),
          client_request_token: s.clientRequestToken ?? null,
        })
        .onConflict((oc) =>
          oc.columns(['account_id', 'region', 'check_name', 'resource_identifier']).doUpdateSet((eb) => ({
            resource_type: eb.ref('excluded.resource_type'),
            expiration_date: eb.ref('excluded.expiration_date'),
            suppress_indefinitely: eb.ref('excluded.suppress_indefinitely'),
            description: eb.ref('excluded.description'),
            created_at: eb.ref('excluded.created_at'),
            client_request_token: eb.ref('excluded.client_request_token'),
          })),
        ),
    );
  }

  /** Writes the expiration and the description of an existing suppression. */
  async update(scope: Scope, s: SuppressionRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .updateTable('audit_suppressions')
        .set({ expiration_date: s.expirationDate?.getTime() ?? null, suppress_indefinitely: s.suppressIndefinitely ? 1 : 0, description: s.description ?? null })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('check_name', '=', s.checkName)
        .where('resource_identifier', '=', s.resourceIdentifier),
    );
  }

  async delete(scope: Scope, checkName: string, resourceIdentifier: string): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .deleteFrom('audit_suppressions')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('check_name', '=', checkName)
        .where('resource_identifier', '=', resourceIdentifier),
    );
    return n > 0;
  }

  /**
   * Live suppressions by expiration date (indefinite ones last when ascending), then check name and
   * identifier; keyset page after `from`, one row more than `limit`.
   */
  async page(scope: Scope, filter: SuppressionFilter, now: Date, ascending: boolean, from: SuppressionPosition | undefined, limit: number): Promise<SuppressionRecord[]> {
    const dir = ascending ? 'asc' : 'desc';
    const query = qb(this.db)
      .selectFrom('audit_suppressions')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where((eb) => live(eb, now.getTime()))
      .$if(filter.checkName !== undefined, (w) => w.where('check_name', '=', filter.checkName!))
      .$if(filter.resourceIdentifier !== undefined, (w) => w.where('resource_identifier', '=', filter.resourceIdentifier!))
      .$if(from !== undefined, (w) => w.where((eb) => afterPosition(eb, from!, !ascending)))
      .orderBy(sortKey, dir)
      .orderBy('check_name', dir)
      .orderBy('resource_identifier', dir)
      .limit(limit + 1);
    return (await all(this.db, query)).map(fromRow);
  }

  /** The (check, identifier) pairs that suppress findings at `now`. */
  async live(scope: Scope, now: Date): Promise<{ checkName: string; resourceIdentifier: string }[]> {
    const rows = await liveKeys(this.db, scope.accountId, scope.region, now.getTime()).all();
    return rows.map((r) => ({ checkName: r.check_name, resourceIdentifier: r.resource_identifier }));
  }
}

/**
 * Rows strictly after `p` in (sort key, check name, identifier) order; the sort key's bound comes
 * first so an index range can serve it (the keyset shape of sql.ts's `after`, over an expression).
 */
function afterPosition(eb: Eb, p: SuppressionPosition, descending: boolean) {
  const op = descending ? '<' : '>';
  const key = sortKey(eb);
  return eb.and([
    eb(key, descending ? '<=' : '>=', p.e),
    eb.or([
      eb(key, op, p.e),
      eb.and([eb(key, '=', p.e), eb('check_name', op, p.c)]),
      eb.and([eb(key, '=', p.e), eb('check_name', '=', p.c), eb('resource_identifier', op, p.r)]),
    ]),
  ]);
}
