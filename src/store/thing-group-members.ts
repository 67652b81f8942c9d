import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

export interface Membership {
  groupName: string;
  isDynamic: boolean;
  addedAt: number;
  /** The top group of the group's hierarchy. */
  rootName: string;
}

/** Rows per multi-row statement when a dynamic group is built (5 parameters a row). */
const BATCH = 500;

/** Which thing is in which group (static and dynamic alike). */
export class ThingGroupMemberRepo {
  constructor(private readonly db: Driver) {}

  /** Adds the thing unless it is already a member; false when it was. */
  async add(scope: Scope, groupName: string, thingName: string, isDynamic: boolean, at: Date): Promise<boolean> {
    const n = await this.db.run(
      `INSERT INTO thing_group_members (account_id, region, group_name, thing_name, is_dynamic, added_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, group_name, thing_name) DO NOTHING`,
      [scope.accountId, scope.region, groupName, thingName, isDynamic ? 1 : 0, at.getTime()],
    );
    return n > 0;
  }

  /** Adds many things to one group in multi-row statements. */
  async addMany(scope: Scope, groupName: string, thingNames: string[], isDynamic: boolean, at: Date): Promise<void> {
    for (let i = 0; i < thingNames.length; i += BATCH) {
      const chunk = thingNames.slice(i, i + BATCH);
      await this.db.run(
        `INSERT INTO thing_group_members (account_id, region, group_name, thing_name, is_dynamic, added_at)
         VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (account_id, region, group_name, thing_name) DO NOTHING`,
        chunk.flatMap((t) => [scope.accountId, scope.region, groupName, t, isDynamic ? 1 : 0, at.getTime()]),
      );
    }
  }

  async remove(scope: Scope, groupName: string, thingName: string): Promise<boolean> {
    const n = await this.db.run('DELETE FROM thing_group_members WHERE account_id = ? AND region = ? AND group_name = ? AND thing_name = ?', [
      scope.accountId,
      scope.region,
      groupName,
      thingName,
    ]);
    return n > 0;
  }

  async removeMany(scope: Scope, groupName: string, thingNames: string[]): Promise<void> {
    for (let i = 0; i < thingNames.length; i += BATCH) {
      const chunk = thingNames.slice(i, i + BATCH);
      await this.db.run(`DELETE FROM thing_group_members WHERE account_id = ? AND region = ? AND group_name = ? AND thing_name IN (${chunk.map(() => '?').join(', ')})`, [
        scope.accountId,
        scope.region,
        groupName,
        ...chunk,
      ]);
    }
  }

  async removeThing(scope: Scope, thingName: string): Promise<void> {
    await this.db.run('DELETE FROM thing_group_members WHERE account_id = ? AND region = ? AND thing_name = ?', [scope.accountId, scope.region, thingName]);
  }

  async removeGroup(scope: Scope, groupName: string): Promise<void> {
    await this.db.run('DELETE FROM thing_group_members WHERE account_id = ? AND region = ? AND group_name = ?', [scope.accountId, scope.region, groupName]);
  }

  /** The thing's direct memberships, oldest first (ties by group name). */
  async ofThing(scope: Scope, thingName: string): Promise<Membership[]> {
    const rows = await this.db.all<{ group_name: string; is_dynamic: number; added_at: number; root_name: string }>(
      `SELECT m.group_name, m.is_dynamic, m.added_at, g.root_name FROM thing_group_members m
       JOIN thing_groups g ON g.account_id = m.account_id AND g.region = m.region AND g.name = m.group_name
       WHERE m.account_id = ? AND m.region = ? AND m.thing_name = ? ORDER BY m.added_at, m.group_name`,
      [scope.accountId, scope.region, thingName],
    );
    return rows.map((r) => ({ groupName: r.group_name, isDynamic: Number(r.is_dynamic) === 1, addedAt: Number(r.added_at), rootName: r.root_name }));
  }

  /** Keyset page of the thing's group names in name order; one more than `limit`. */
  async groupNamesOfThing(scope: Scope, thingName: string, afterName: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ group_name: string }>(
      `SELECT group_name FROM thing_group_members WHERE account_id = ? AND region = ? AND thing_name = ?${afterName === undefined ? '' : ' AND group_name > ?'}
       ORDER BY group_name LIMIT ?`,
      [scope.accountId, scope.region, thingName, ...(afterName === undefined ? [] : [afterName]), limit + 1],
    );
    return rows.map((r) => r.group_name);
  }

  /** Keyset page of the distinct things in any of `groupNames`, in name order; one more than `limit`. */
  async thingNamesIn(scope: Scope, groupNames: string[], afterName: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ thing_name: string }>(
      `SELECT DISTINCT thing_name FROM thing_group_members WHERE account_id = ? AND region = ?
       AND group_name IN (${groupNames.map(() => '?').join(', ')})${afterName === undefined ? '' : ' AND thing_name > ?'}
       ORDER BY thing_name LIMIT ?`,
      [scope.accountId, scope.region, ...groupNames, ...(afterName === undefined ? [] : [afterName]), limit + 1],
    );
    return rows.map((r) => r.thing_name);
  }

  /** Every thing of one group. */
  async allThingNames(scope: Scope, groupName: string): Promise<string[]> {
    const rows = await this.db.all<{ thing_name: string }>('SELECT thing_name FROM thing_group_members WHERE account_id = ? AND region = ? AND group_name = ?', [
      scope.accountId,
      scope.region,
      groupName,
    ]);
    return rows.map((r) => r.thing_name);
  }

  /** Things that are in at least `limit` groups. */
  async thingsAtLimit(scope: Scope, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ thing_name: string }>(
      'SELECT thing_name FROM thing_group_members WHERE account_id = ? AND region = ? GROUP BY thing_name HAVING COUNT(*) >= ?',
      [scope.accountId, scope.region, limit],
    );
    return rows.map((r) => r.thing_name);
  }
}
