import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { PREFIX_UPPER, type Attributes } from './things.js';

export interface ThingGroupRecord {
  name: string;
  groupId: string;
  arn: string;
  parentName?: string;
  /** The top group of the hierarchy (the group itself for a top group). */
  rootName: string;
  /** `root/.../name/`: ancestors are its segments, descendants share it as a prefix. */
  path: string;
  /** 1 for a top group. */
  depth: number;
  isDynamic: boolean;
  description?: string;
  attributes: Attributes;
  version: number;
  queryString?: string;
  queryVersion?: string;
  indexName?: string;
  status?: string;
  createdAt: Date;
}

interface Row {
  name: string;
  group_id: string;
  arn: string;
  parent_name: string | null;
  root_name: string;
  path: string;
  depth: number;
  is_dynamic: number;
  description: string | null;
  attributes: string;
  version: number;
  query_string: string | null;
  query_version: string | null;
  index_name: string | null;
  status: string | null;
  created_at: number;
}

const COLUMNS =
  'name, group_id, arn, parent_name, root_name, path, depth, is_dynamic, description, attributes, version, query_string, query_version, index_name, status, created_at';

const fromRow = (r: Row): ThingGroupRecord => ({
  name: r.name,
  groupId: r.group_id,
  arn: r.arn,
  parentName: r.parent_name ?? undefined,
  rootName: r.root_name,
  path: r.path,
  depth: Number(r.depth),
  isDynamic: Number(r.is_dynamic) === 1,
  description: r.description ?? undefined,
  attributes: JSON.parse(r.attributes) as Attributes,
  version: Number(r.version),
  queryString: r.query_string ?? undefined,
  queryVersion: r.query_version ?? undefined,
  indexName: r.index_name ?? undefined,
  status: r.status ?? undefined,
  createdAt: new Date(Number(r.created_at)),
});

export interface GroupListFilter {
  /** Only direct children of this group (parentName) or every descendant (underPath). */
  parentName?: string;
  underPath?: string;
  /** Only top groups. */
  topOnly?: boolean;
  namePrefix?: string;
  afterName?: string;
  limit: number;
}

export class ThingGroupRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<ThingGroupRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM thing_groups WHERE account_id = ? AND region = ? AND name = ?`, [scope.accountId, scope.region, name]);
    return row && fromRow(row);
  }

  /** Inserts unless the name is taken; false when it is. */
  async insert(scope: Scope, g: ThingGroupRecord): Promise<boolean> {
    const n = await this.db.run(
      `INSERT INTO thing_groups (account_id, region, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, name) DO NOTHING`,
      [
        scope.accountId,
        scope.region,
        g.name,
        g.groupId,
        g.arn,
        g.parentName ?? null,
        g.rootName,
        g.path,
        g.depth,
        g.isDynamic ? 1 : 0,
        g.description ?? null,
        JSON.stringify(g.attributes),
        g.version,
        g.queryString ?? null,
        g.queryVersion ?? null,
        g.indexName ?? null,
        g.status ?? null,
        g.createdAt.getTime(),
      ],
    );
    return n > 0;
  }

  /** Writes the mutable fields: description, attributes, version and the dynamic query. */
  async update(scope: Scope, g: ThingGroupRecord): Promise<void> {
    await this.db.run(
      `UPDATE thing_groups SET description = ?, attributes = ?, version = ?, query_string = ?, query_version = ?, index_name = ?, status = ?
       WHERE account_id = ? AND region = ? AND name = ?`,
      [g.description ?? null, JSON.stringify(g.attributes), g.version, g.queryString ?? null, g.queryVersion ?? null, g.indexName ?? null, g.status ?? null, scope.accountId, scope.region, g.name],
    );
  }

  async delete(scope: Scope, name: string): Promise<void> {
    await this.db.run('DELETE FROM thing_groups WHERE account_id = ? AND region = ? AND name = ?', [scope.accountId, scope.region, name]);
  }

  async countChildren(scope: Scope, name: string): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM thing_groups WHERE account_id = ? AND region = ? AND parent_name = ?', [scope.accountId, scope.region, name]);
    return Number(row?.n ?? 0);
  }

  async countDynamic(scope: Scope): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM thing_groups WHERE account_id = ? AND region = ? AND is_dynamic = 1', [scope.accountId, scope.region]);
    return Number(row?.n ?? 0);
  }

  /** Every dynamic group of the scope with its query (cheap when there are none: one index probe). */
  async dynamicGroups(scope: Scope): Promise<{ name: string; queryString: string }[]> {
    const rows = await this.db.all<{ name: string; query_string: string }>(
      'SELECT name, query_string FROM thing_groups WHERE account_id = ? AND region = ? AND is_dynamic = 1 ORDER BY name',
      [scope.accountId, scope.region],
    );
    return rows.map((r) => ({ name: r.name, queryString: r.query_string }));
  }

  /** Names of the group and all its descendants. */
  async subtreeNames(scope: Scope, path: string): Promise<string[]> {
    const rows = await this.db.all<{ name: string }>('SELECT name FROM thing_groups WHERE account_id = ? AND region = ? AND path >= ? AND path < ?', [
      scope.accountId,
      scope.region,
      path,
      path + PREFIX_UPPER,
    ]);
    return rows.map((r) => r.name);
  }

  /** Keyset page in name order; one row more than `limit`. */
  async list(scope: Scope, f: GroupListFilter): Promise<ThingGroupRecord[]> {
    const where = ['account_id = ?', 'region = ?'];
    const params: unknown[] = [scope.accountId, scope.region];
    const add = (clause: string, ...values: unknown[]): void => {
      where.push(clause);
      params.push(...values);
    };
    if (f.parentName !== undefined) add('parent_name = ?', f.parentName);
    if (f.underPath !== undefined) add('path > ? AND path < ?', f.underPath, f.underPath + PREFIX_UPPER);
    if (f.topOnly) add('parent_name IS NULL');
    if (f.namePrefix !== undefined) add('name >= ? AND name < ?', f.namePrefix, f.namePrefix + PREFIX_UPPER);
    if (f.afterName !== undefined) add('name > ?', f.afterName);
    params.push(f.limit + 1);
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM thing_groups WHERE ${where.join(' AND ')} ORDER BY name LIMIT ?`, params);
    return rows.map(fromRow);
  }
}
