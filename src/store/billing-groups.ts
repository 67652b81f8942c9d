import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { PREFIX_UPPER } from './things.js';

export interface BillingGroupRecord {
  name: string;
  groupId: string;
  arn: string;
  description?: string;
  version: number;
  createdAt: Date;
}

interface Row {
  name: string;
  group_id: string;
  arn: string;
  description: string | null;
  version: number;
  created_at: number;
}

const COLUMNS = 'name, group_id, arn, description, version, created_at';

const fromRow = (r: Row): BillingGroupRecord => ({
  name: r.name,
  groupId: r.group_id,
  arn: r.arn,
  description: r.description ?? undefined,
  version: Number(r.version),
  createdAt: new Date(Number(r.created_at)),
});

/** Billing groups and which thing is in which (billing_group_members: one row per thing, at most one group). */
export class BillingGroupRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<BillingGroupRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM billing_groups WHERE account_id = ? AND region = ? AND name = ?`, [scope.accountId, scope.region, name]);
    return row && fromRow(row);
  }

  /** Inserts unless the name is taken; false when it is. */
  async insert(scope: Scope, g: BillingGroupRecord): Promise<boolean> {
    const n = await this.db.run(
      `INSERT INTO billing_groups (account_id, region, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, name) DO NOTHING`,
      [scope.accountId, scope.region, g.name, g.groupId, g.arn, g.description ?? null, g.version, g.createdAt.getTime()],
    );
    return n > 0;
  }

  /** Writes the description and version. */
  async update(scope: Scope, g: BillingGroupRecord): Promise<void> {
    await this.db.run('UPDATE billing_groups SET description = ?, version = ? WHERE account_id = ? AND region = ? AND name = ?', [
      g.description ?? null,
      g.version,
      scope.accountId,
      scope.region,
      g.name,
    ]);
  }

  /** Deletes the group and its memberships. */
  async delete(scope: Scope, name: string): Promise<void> {
    await this.db.run('DELETE FROM billing_group_members WHERE account_id = ? AND region = ? AND group_name = ?', [scope.accountId, scope.region, name]);
    await this.db.run('DELETE FROM billing_groups WHERE account_id = ? AND region = ? AND name = ?', [scope.accountId, scope.region, name]);
  }

  /** Keyset page in name order, optionally of names with a prefix; one row more than `limit`. */
  async list(scope: Scope, f: { namePrefix?: string; afterName?: string; limit: number }): Promise<BillingGroupRecord[]> {
    const where = ['account_id = ?', 'region = ?'];
    const params: unknown[] = [scope.accountId, scope.region];
    if (f.namePrefix !== undefined) {
      where.push('name >= ? AND name < ?');
      params.push(f.namePrefix, f.namePrefix + PREFIX_UPPER);
    }
    if (f.afterName !== undefined) {
      where.push('name > ?');
      params.push(f.afterName);
    }
    params.push(f.limit + 1);
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM billing_groups WHERE ${where.join(' AND ')} ORDER BY name LIMIT ?`, params);
    return rows.map(fromRow);
  }

  /** The billing group the thing is in, if any. */
  async groupOfThing(scope: Scope, thingName: string): Promise<string | undefined> {
    const row = await this.db.get<{ group_name: string }>('SELECT group_name FROM billing_group_members WHERE account_id = ? AND region = ? AND thing_name = ?', [
      scope.accountId,
      scope.region,
      thingName,
    ]);
    return row?.group_name;
  }

  /** Puts the thing in the group, out of any other billing group it was in. */
  async setGroupOfThing(scope: Scope, thingName: string, groupName: string, at: Date): Promise<void> {
    await this.db.run(
      `INSERT INTO billing_group_members (account_id, region, thing_name, group_name, added_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, thing_name) DO UPDATE SET group_name = excluded.group_name, added_at = excluded.added_at`,
      [scope.accountId, scope.region, thingName, groupName, at.getTime()],
    );
  }

  /** Takes the thing out of its billing group; only out of `groupName` when given. False when nothing changed. */
  async removeThing(scope: Scope, thingName: string, groupName?: string): Promise<boolean> {
    const n = await this.db.run(
      `DELETE FROM billing_group_members WHERE account_id = ? AND region = ? AND thing_name = ?${groupName === undefined ? '' : ' AND group_name = ?'}`,
      [scope.accountId, scope.region, thingName, ...(groupName === undefined ? [] : [groupName])],
    );
    return n > 0;
  }

  /** Keyset page of the group's thing names in name order; one more than `limit`. */
  async thingNames(scope: Scope, groupName: string, afterName: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ thing_name: string }>(
      `SELECT thing_name FROM billing_group_members WHERE account_id = ? AND region = ? AND group_name = ?${afterName === undefined ? '' : ' AND thing_name > ?'}
       ORDER BY thing_name LIMIT ?`,
      [scope.accountId, scope.region, groupName, ...(afterName === undefined ? [] : [afterName]), limit + 1],
    );
    return rows.map((r) => r.thing_name);
  }
}
