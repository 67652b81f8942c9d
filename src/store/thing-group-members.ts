import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { all, inChunks, insertRows, prepared, qb, run, selectIn } from './sql.js';

export interface Membership {
  groupName: string;
  isDynamic: boolean;
  addedAt: number;
  /** The top group of the group's hierarchy. */
  rootName: string;
}

const addOne = prepared((q, accountId: string, region: string, groupName: string, thingName: string, isDynamic: number, addedAt: number) =>
  q
    .insertInto('thing_group_members')
    .values({ account_id: accountId, region, group_name: groupName, thing_name: thingName, is_dynamic: isDynamic, added_at: addedAt })
    .onConflict((oc) => oc.columns(['account_id', 'region', 'group_name', 'thing_name']).doNothing()),
);

const removeOne = prepared((q, accountId: string, region: string, groupName: string, thingName: string) =>
  q
    .deleteFrom('thing_group_members')
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('group_name', '=', groupName)
    .where('thing_name', '=', thingName),
);

/** Read by every membership change and every thing write while the scope has dynamic groups. */
const membershipsOf = prepared((q, accountId: string, region: string, thingName: string) =>
  q
    .selectFrom('thing_group_members as m')
    .innerJoin('thing_groups as g', (j) => j.onRef('g.account_id', '=', 'm.account_id').onRef('g.region', '=', 'm.region').onRef('g.name', '=', 'm.group_name'))
    .select(['m.group_name', 'm.is_dynamic', 'm.added_at', 'g.root_name'])
    .where('m.account_id', '=', accountId)
    .where('m.region', '=', region)
    .where('m.thing_name', '=', thingName)
    .orderBy('m.added_at')
    .orderBy('m.group_name'),
);

/** Which thing is in which group (static and dynamic alike). */
export class ThingGroupMemberRepo {
  constructor(private readonly db: Driver) {}

  /** Adds the thing unless it is already a member; false when it was. */
  async add(scope: Scope, groupName: string, thingName: string, isDynamic: boolean, at: Date): Promise<boolean> {
    const n = await addOne(this.db, scope.accountId, scope.region, groupName, thingName, isDynamic ? 1 : 0, at.getTime()).run();
    return n > 0;
  }

  /** Adds many things to one group in multi-row statements. */
  async addMany(scope: Scope, groupName: string, thingNames: string[], isDynamic: boolean, at: Date): Promise<void> {
    const rows = thingNames.map((t) => ({ account_id: scope.accountId, region: scope.region, group_name: groupName, thing_name: t, is_dynamic: isDynamic ? 1 : 0, added_at: at.getTime() }));
    await insertRows(this.db, 'thing_group_members', rows, (q) => q.onConflict((oc) => oc.columns(['account_id', 'region', 'group_name', 'thing_name']).doNothing()));
  }

  async remove(scope: Scope, groupName: string, thingName: string): Promise<boolean> {
    const n = await removeOne(this.db, scope.accountId, scope.region, groupName, thingName).run();
    return n > 0;
  }

  async removeMany(scope: Scope, groupName: string, thingNames: string[]): Promise<void> {
    await inChunks(thingNames, async (chunk) => {
      await run(
        this.db,
        qb(this.db)
          .deleteFrom('thing_group_members')
          .where('account_id', '=', scope.accountId)
          .where('region', '=', scope.region)
          .where('group_name', '=', groupName)
          .where('thing_name', 'in', chunk),
      );
    });
  }

  async removeThing(scope: Scope, thingName: string): Promise<void> {
    await run(
      this.db,
      qb(this.db).deleteFrom('thing_group_members').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('thing_name', '=', thingName),
    );
  }

  async removeGroup(scope: Scope, groupName: string): Promise<void> {
    await run(
      this.db,
      qb(this.db).deleteFrom('thing_group_members').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('group_name', '=', groupName),
    );
  }

  /** The thing's direct memberships, oldest first (ties by group name). */
  async ofThing(scope: Scope, thingName: string): Promise<Membership[]> {
    const rows = await membershipsOf(this.db, scope.accountId, scope.region, thingName).all();
    return rows.map((r) => ({ groupName: r.group_name, isDynamic: Number(r.is_dynamic) === 1, addedAt: Number(r.added_at), rootName: r.root_name }));
  }

  /** The direct memberships of many things, each thing's oldest first (ties by group name); a thing in no group is absent. */
  async ofThings(scope: Scope, thingNames: readonly string[]): Promise<Map<string, Membership[]>> {
    const names = [...new Set(thingNames)];
    const out = new Map<string, Membership[]>();
    if (names.length === 1) {
      const one = await this.ofThing(scope, names[0]);
      if (one.length) out.set(names[0], one);
      return out;
    }
    const rows = await selectIn(this.db, names, (chunk) =>
      qb(this.db)
        .selectFrom('thing_group_members as m')
        .innerJoin('thing_groups as g', (j) => j.onRef('g.account_id', '=', 'm.account_id').onRef('g.region', '=', 'm.region').onRef('g.name', '=', 'm.group_name'))
        .select(['m.thing_name', 'm.group_name', 'm.is_dynamic', 'm.added_at', 'g.root_name'])
        .where('m.account_id', '=', scope.accountId)
        .where('m.region', '=', scope.region)
        .where('m.thing_name', 'in', chunk)
        .orderBy('m.thing_name')
        .orderBy('m.added_at')
        .orderBy('m.group_name'),
    );
    for (const r of rows) {
      const m: Membership = { groupName: r.group_name, isDynamic: Number(r.is_dynamic) === 1, addedAt: Number(r.added_at), rootName: r.root_name };
      const list = out.get(r.thing_name);
      if (list) list.push(m);
      else out.set(r.thing_name, [m]);
    }
    return out;
  }

  /** Adds memberships of any things to any groups in multi-row statements; rows already there stay as they are. */
  async addAll(scope: Scope, rows: readonly { groupName: string; thingName: string; isDynamic: boolean }[], at: Date): Promise<void> {
    if (rows.length === 1) {
      await this.add(scope, rows[0].groupName, rows[0].thingName, rows[0].isDynamic, at);
      return;
    }
    const values = rows.map((r) => ({ account_id: scope.accountId, region: scope.region, group_name: r.groupName, thing_name: r.thingName, is_dynamic: r.isDynamic ? 1 : 0, added_at: at.getTime() }));
    await insertRows(this.db, 'thing_group_members', values, (q) => q.onConflict((oc) => oc.columns(['account_id', 'region', 'group_name', 'thing_name']).doNothing()));
  }

  /** Keyset page of the thing's group names in name order; one more than `limit`. */
  async groupNamesOfThing(scope: Scope, thingName: string, afterName: string | undefined, limit: number): Promise<string[]> {
    const query = qb(this.db)
      .selectFrom('thing_group_members')
      .select('group_name')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('thing_name', '=', thingName)
      .$if(afterName !== undefined, (w) => w.where('group_name', '>', afterName!))
      .orderBy('group_name')
      .limit(limit + 1);
    return (await all(this.db, query)).map((r) => r.group_name);
  }

  /** Keyset page of the distinct things in any of `groupNames`, in name order; one more than `limit`. */
  async thingNamesIn(scope: Scope, groupNames: string[], afterName: string | undefined, limit: number): Promise<string[]> {
    if (groupNames.length === 0) return [];
    const query = qb(this.db)
      .selectFrom('thing_group_members')
      .select('thing_name')
      .distinct()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('group_name', 'in', groupNames)
      .$if(afterName !== undefined, (w) => w.where('thing_name', '>', afterName!))
      .orderBy('thing_name')
      .limit(limit + 1);
    return (await all(this.db, query)).map((r) => r.thing_name);
  }

  /** Every thing of one group. */
  async allThingNames(scope: Scope, groupName: string): Promise<string[]> {
    const query = qb(this.db)
      .selectFrom('thing_group_members')
      .select('thing_name')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('group_name', '=', groupName);
    return (await all(this.db, query)).map((r) => r.thing_name);
  }

  /** Things that are in at least `limit` groups. */
  async thingsAtLimit(scope: Scope, limit: number): Promise<string[]> {
    const query = qb(this.db)
      .selectFrom('thing_group_members')
      .select('thing_name')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .groupBy('thing_name')
      .having((eb) => eb.fn.countAll(), '>=', limit);
    return (await all(this.db, query)).map((r) => r.thing_name);
  }
}
