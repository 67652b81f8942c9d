import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

export type Attributes = Record<string, string>;

export interface ThingRecord {
  name: string;
  thingId: string;
  arn: string;
  thingTypeName?: string;
  version: number;
  attributes: Attributes;
  createdAt: Date;
  modifiedAt: Date;
}

interface Row {
  name: string;
  thing_id: string;
  arn: string;
  thing_type_name: string | null;
  version: number;
  attributes: string;
  created_at: number;
  modified_at: number;
}

const COLUMNS = 'name, thing_id, arn, thing_type_name, version, attributes, created_at, modified_at';
const PREFIXED = COLUMNS.split(', ')
  .map((c) => `t.${c}`)
  .join(', ');

const fromRow = (r: Row): ThingRecord => ({
  name: r.name,
  thingId: r.thing_id,
  arn: r.arn,
  thingTypeName: r.thing_type_name ?? undefined,
  version: Number(r.version),
  attributes: JSON.parse(r.attributes) as Attributes,
  createdAt: new Date(Number(r.created_at)),
  modifiedAt: new Date(Number(r.modified_at)),
});

/** Above every character a thing name or attribute may hold, so `prefix + UPPER` bounds a prefix range. */
export const PREFIX_UPPER = '\uffff';

export interface ThingListFilter {
  thingTypeName?: string;
  attributeName?: string;
  attributeValue?: string;
  /** attributeValue is a prefix. */
  prefix?: boolean;
  afterName?: string;
  limit: number;
}

/**
 * Things and their attribute index (thing_attributes repeats `attributes` one row per key so
 * ListThings filters through an index).
 */
export class ThingRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<ThingRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM things WHERE account_id = ? AND region = ? AND name = ?`, [scope.accountId, scope.region, name]);
    return row && fromRow(row);
  }

  /** Inserts unless the name is taken; false when it is (the caller then compares with the existing thing). */
  async insert(scope: Scope, rec: ThingRecord): Promise<boolean> {
    const n = await this.db.run(
      `INSERT INTO things (account_id, region, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, name) DO NOTHING`,
      [scope.accountId, scope.region, rec.name, rec.thingId, rec.arn, rec.thingTypeName ?? null, rec.version, JSON.stringify(rec.attributes), rec.createdAt.getTime(), rec.modifiedAt.getTime()],
    );
    if (n > 0) await this.insertAttributes(scope, rec.name, rec.attributes);
    return n > 0;
  }

  /** Writes type, attributes, version and modifiedAt of an existing thing. */
  async update(scope: Scope, rec: ThingRecord): Promise<void> {
    await this.db.run('UPDATE things SET thing_type_name = ?, version = ?, attributes = ?, modified_at = ? WHERE account_id = ? AND region = ? AND name = ?', [
      rec.thingTypeName ?? null,
      rec.version,
      JSON.stringify(rec.attributes),
      rec.modifiedAt.getTime(),
      scope.accountId,
      scope.region,
      rec.name,
    ]);
    await this.db.run('DELETE FROM thing_attributes WHERE account_id = ? AND region = ? AND thing_name = ?', [scope.accountId, scope.region, rec.name]);
    await this.insertAttributes(scope, rec.name, rec.attributes);
  }

  async delete(scope: Scope, name: string): Promise<void> {
    await this.db.run('DELETE FROM thing_attributes WHERE account_id = ? AND region = ? AND thing_name = ?', [scope.accountId, scope.region, name]);
    await this.db.run('DELETE FROM things WHERE account_id = ? AND region = ? AND name = ?', [scope.accountId, scope.region, name]);
  }

  private async insertAttributes(scope: Scope, name: string, attributes: Attributes): Promise<void> {
    const entries = Object.entries(attributes);
    if (entries.length === 0) return;
    await this.db.run(
      `INSERT INTO thing_attributes (account_id, region, thing_name, attr_name, attr_value) VALUES ${entries.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      entries.flatMap(([k, v]) => [scope.accountId, scope.region, name, k, v]),
    );
  }

  /** Keyset page in name order; one row more than `limit` tells the caller more follow. */
  async list(scope: Scope, f: ThingListFilter): Promise<ThingRecord[]> {
    const params: unknown[] = [scope.accountId, scope.region];
    let sql: string;
    if (f.attributeName !== undefined) {
      const where = ['a.account_id = ?', 'a.region = ?', 'a.attr_name = ?'];
      params.push(f.attributeName);
      if (f.attributeValue !== undefined && f.prefix) {
        where.push('a.attr_value >= ?', 'a.attr_value < ?');
        params.push(f.attributeValue, f.attributeValue + PREFIX_UPPER);
      } else if (f.attributeValue !== undefined) {
        where.push('a.attr_value = ?');
        params.push(f.attributeValue);
      }
      if (f.thingTypeName !== undefined) {
        where.push('t.thing_type_name = ?');
        params.push(f.thingTypeName);
      }
      if (f.afterName !== undefined) {
        where.push('a.thing_name > ?');
        params.push(f.afterName);
      }
      sql = `SELECT ${PREFIXED} FROM thing_attributes a
             JOIN things t ON t.account_id = a.account_id AND t.region = a.region AND t.name = a.thing_name
             WHERE ${where.join(' AND ')} ORDER BY a.thing_name LIMIT ?`;
    } else {
      const where = ['account_id = ?', 'region = ?'];
      if (f.thingTypeName !== undefined) {
        where.push('thing_type_name = ?');
        params.push(f.thingTypeName);
      }
      if (f.afterName !== undefined) {
        where.push('name > ?');
        params.push(f.afterName);
      }
      sql = `SELECT ${COLUMNS} FROM things WHERE ${where.join(' AND ')} ORDER BY name LIMIT ?`;
    }
    params.push(f.limit + 1);
    return (await this.db.all<Row>(sql, params)).map(fromRow);
  }

  /** True when at least one thing has this type. */
  async anyOfType(scope: Scope, thingTypeName: string): Promise<boolean> {
    const row = await this.db.get('SELECT 1 AS x FROM things WHERE account_id = ? AND region = ? AND thing_type_name = ? LIMIT 1', [scope.accountId, scope.region, thingTypeName]);
    return row !== undefined;
  }

  /** True when a principal is attached to the thing (thing_principals belongs to the certificates family). */
  async hasPrincipals(scope: Scope, name: string): Promise<boolean> {
    const row = await this.db.get('SELECT 1 AS x FROM thing_principals WHERE account_id = ? AND region = ? AND thing_name = ? LIMIT 1', [scope.accountId, scope.region, name]);
    return row !== undefined;
  }
}
