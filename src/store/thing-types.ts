import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

export interface ThingTypeRecord {
  name: string;
  thingTypeId: string;
  arn: string;
  /** The thing type's properties as the API gave them (the model's ThingTypeProperties), kept as JSON. */
  properties: object;
  deprecated: boolean;
  deprecatedAt?: Date;
  createdAt: Date;
}

interface Row {
  name: string;
  thing_type_id: string;
  arn: string;
  properties: string;
  deprecated: number;
  deprecated_at: number | null;
  created_at: number;
}

const COLUMNS = 'name, thing_type_id, arn, properties, deprecated, deprecated_at, created_at';

const fromRow = (r: Row): ThingTypeRecord => ({
  name: r.name,
  thingTypeId: r.thing_type_id,
  arn: r.arn,
  properties: JSON.parse(r.properties) as object,
  deprecated: Number(r.deprecated) === 1,
  deprecatedAt: r.deprecated_at === null ? undefined : new Date(Number(r.deprecated_at)),
  createdAt: new Date(Number(r.created_at)),
});

export class ThingTypeRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<ThingTypeRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM thing_types WHERE account_id = ? AND region = ? AND name = ?`, [scope.accountId, scope.region, name]);
    return row && fromRow(row);
  }

  /** Inserts unless the name is taken; false when it is. */
  async insert(scope: Scope, rec: ThingTypeRecord): Promise<boolean> {
    const n = await this.db.run(
      `INSERT INTO thing_types (account_id, region, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, name) DO NOTHING`,
      [scope.accountId, scope.region, rec.name, rec.thingTypeId, rec.arn, JSON.stringify(rec.properties), rec.deprecated ? 1 : 0, rec.deprecatedAt?.getTime() ?? null, rec.createdAt.getTime()],
    );
    return n > 0;
  }

  async setDeprecated(scope: Scope, name: string, deprecatedAt: Date | undefined): Promise<void> {
    await this.db.run('UPDATE thing_types SET deprecated = ?, deprecated_at = ? WHERE account_id = ? AND region = ? AND name = ?', [
      deprecatedAt ? 1 : 0,
      deprecatedAt?.getTime() ?? null,
      scope.accountId,
      scope.region,
      name,
    ]);
  }

  async delete(scope: Scope, name: string): Promise<void> {
    await this.db.run('DELETE FROM thing_types WHERE account_id = ? AND region = ? AND name = ?', [scope.accountId, scope.region, name]);
  }

  /** Keyset page in name order (optionally the one type named), one row more than `limit`. */
  async list(scope: Scope, opts: { name?: string; afterName?: string; limit: number }): Promise<ThingTypeRecord[]> {
    const where = ['account_id = ?', 'region = ?'];
    const params: unknown[] = [scope.accountId, scope.region];
    if (opts.name !== undefined) {
      where.push('name = ?');
      params.push(opts.name);
    }
    if (opts.afterName !== undefined) {
      where.push('name > ?');
      params.push(opts.afterName);
    }
    params.push(opts.limit + 1);
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM thing_types WHERE ${where.join(' AND ')} ORDER BY name LIMIT ?`, params);
    return rows.map(fromRow);
  }
}
