import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

/**
 * The registry tables of the other families that policies and tags read, by the columns of the
 * table contract. Table and column names come from this fixed list, never from a request.
 */
export const KEYED_TABLES = {
  certificates: 'certificate_id',
  ca_certificates: 'certificate_id',
  thing_groups: 'name',
  thing_types: 'name',
  things: 'name',
  mitigation_actions: 'name',
  policies: 'name',
  role_aliases: 'alias',
  scheduled_audits: 'name',
  billing_groups: 'name',
} as const;

export type KeyedTable = keyof typeof KEYED_TABLES;

/** Thing group hierarchies are at most 7 deep in AWS; the walk stops well beyond that even on a cycle. */
const MAX_DEPTH = 32;

export interface GroupRef {
  name: string;
  arn: string;
}

export class RegistryLookupRepo {
  constructor(private readonly db: Driver) {}

  /** Whether a row with this key exists in one of the known tables of the scope. */
  async exists(scope: Scope, table: KeyedTable, key: string): Promise<boolean> {
    const row = await this.db.get(`SELECT 1 AS x FROM ${table} WHERE account_id = ? AND region = ? AND ${KEYED_TABLES[table]} = ?`, [
      scope.accountId,
      scope.region,
      key,
    ]);
    return row !== undefined;
  }

  /**
   * The given thing groups (or the groups `thing` belongs to) and all their ancestors up the
   * hierarchy (thing_groups.parent_name), each once.
   */
  async groupsWithAncestors(scope: Scope, seed: { groups: string[] } | { thing: string }): Promise<GroupRef[]> {
    let seedSql: string;
    let seedParams: unknown[];
    if ('thing' in seed) {
      seedSql = 'name IN (SELECT group_name FROM thing_group_members WHERE account_id = ? AND region = ? AND thing_name = ?)';
      seedParams = [scope.accountId, scope.region, seed.thing];
    } else {
      if (seed.groups.length === 0) return [];
      seedSql = `name IN (${seed.groups.map(() => '?').join(', ')})`;
      seedParams = seed.groups;
    }
    return this.db.all<GroupRef>(
      `WITH RECURSIVE chain (name, arn, parent_name, depth) AS (
         SELECT name, arn, parent_name, 0 FROM thing_groups WHERE account_id = ? AND region = ? AND ${seedSql}
         UNION ALL
         SELECT g.name, g.arn, g.parent_name, c.depth + 1 FROM thing_groups g JOIN chain c ON g.name = c.parent_name
         WHERE g.account_id = ? AND g.region = ? AND c.depth < ${MAX_DEPTH}
       )
       SELECT DISTINCT name, arn FROM chain ORDER BY name`,
      [scope.accountId, scope.region, ...seedParams, scope.accountId, scope.region],
    );
  }
}
