import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { after } from './rows.js';

/**
 * An audit_suppressions row. resource_identifier is canonical JSON (sorted keys), so equal identifiers are equal strings.
 * Integer columns arrive as numbers on both backends (the PostgreSQL driver parses BIGINT to number).
 */
export interface SuppressionRow {
  check_name: string;
  resource_identifier: string;
  resource_type: string;
  /** Epoch ms; null when the suppression is indefinite. */
  expiration_date: number | null;
  suppress_indefinitely: number;
  description: string | null;
  created_at: number;
  /** The token of the CreateAuditSuppression that made it (a retry with it succeeds). */
  client_request_token: string | null;
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

const COLUMNS = 'check_name, resource_identifier, resource_type, expiration_date, suppress_indefinitely, description, created_at, client_request_token';
const SORT_KEY = `COALESCE(expiration_date, ${FOREVER})`;
/** A suppression whose expiration date has passed no longer exists for the API or the audits. */
const LIVE = '(expiration_date IS NULL OR expiration_date > ?)';

export class AuditSuppressionRepo {
  constructor(private readonly db: Driver) {}

  /** The suppression of this check and resource, if it exists and has not expired at `now`. */
  async get(scope: Scope, checkName: string, resourceIdentifier: string, now: number): Promise<SuppressionRow | undefined> {
    return this.db.get<SuppressionRow>(
      `SELECT ${COLUMNS} FROM audit_suppressions WHERE account_id = ? AND region = ? AND check_name = ? AND resource_identifier = ? AND ${LIVE}`,
      [scope.accountId, scope.region, checkName, resourceIdentifier, now],
    );
  }

  /** The live suppression a CreateAuditSuppression token made, if any. */
  async byToken(scope: Scope, token: string, now: number): Promise<SuppressionRow | undefined> {
    return this.db.get<SuppressionRow>(
      `SELECT ${COLUMNS} FROM audit_suppressions WHERE account_id = ? AND region = ? AND client_request_token = ? AND ${LIVE}`,
      [scope.accountId, scope.region, token, now],
    );
  }

  /** Inserts, replacing an expired row of the same key (the caller has checked there is no live one). */
  async put(scope: Scope, r: SuppressionRow): Promise<void> {
    await this.db.run(
      `INSERT INTO audit_suppressions (account_id, region, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, check_name, resource_identifier) DO UPDATE SET resource_type = excluded.resource_type,
         expiration_date = excluded.expiration_date, suppress_indefinitely = excluded.suppress_indefinitely,
         description = excluded.description, created_at = excluded.created_at, client_request_token = excluded.client_request_token`,
      [scope.accountId, scope.region, r.check_name, r.resource_identifier, r.resource_type, r.expiration_date, r.suppress_indefinitely, r.description, r.created_at, r.client_request_token],
    );
  }

  async update(scope: Scope, r: SuppressionRow): Promise<void> {
    await this.db.run(
      'UPDATE audit_suppressions SET expiration_date = ?, suppress_indefinitely = ?, description = ? WHERE account_id = ? AND region = ? AND check_name = ? AND resource_identifier = ?',
      [r.expiration_date, r.suppress_indefinitely, r.description, scope.accountId, scope.region, r.check_name, r.resource_identifier],
    );
  }

  async delete(scope: Scope, checkName: string, resourceIdentifier: string): Promise<boolean> {
    const n = await this.db.run('DELETE FROM audit_suppressions WHERE account_id = ? AND region = ? AND check_name = ? AND resource_identifier = ?', [
      scope.accountId,
      scope.region,
      checkName,
      resourceIdentifier,
    ]);
    return n > 0;
  }

  /**
   * Live suppressions by expiration date (indefinite ones last when ascending), then check name and
   * identifier; keyset page after `from`, one row more than `limit`.
   */
  async page(scope: Scope, filter: SuppressionFilter, now: number, ascending: boolean, from: SuppressionPosition | undefined, limit: number): Promise<SuppressionRow[]> {
    const where = ['account_id = ?', 'region = ?', LIVE];
    const params: unknown[] = [scope.accountId, scope.region, now];
    if (filter.checkName !== undefined) {
      where.push('check_name = ?');
      params.push(filter.checkName);
    }
    if (filter.resourceIdentifier !== undefined) {
      where.push('resource_identifier = ?');
      params.push(filter.resourceIdentifier);
    }
    const order = [SORT_KEY, 'check_name', 'resource_identifier'];
    if (from) {
      const k = after(order, [from.e, from.c, from.r], !ascending);
      where.push(k.sql);
      params.push(...k.params);
    }
    params.push(limit + 1);
    const dir = ascending ? 'ASC' : 'DESC';
    return this.db.all<SuppressionRow>(
      `SELECT ${COLUMNS} FROM audit_suppressions WHERE ${where.join(' AND ')} ORDER BY ${order.map((c) => `${c} ${dir}`).join(', ')} LIMIT ?`,
      params,
    );
  }

  /** The (check, identifier) pairs that suppress findings at `now`. */
  async live(scope: Scope, now: number): Promise<{ check_name: string; resource_identifier: string }[]> {
    return this.db.all<{ check_name: string; resource_identifier: string }>(
      `SELECT check_name, resource_identifier FROM audit_suppressions WHERE account_id = ? AND region = ? AND ${LIVE}`,
      [scope.accountId, scope.region, now],
    );
  }
}
