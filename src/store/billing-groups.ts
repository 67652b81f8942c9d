import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { BillingGroupsTable } from './schema.generated.js';
import { all, prepared, qb, run } from './sql.js';
import { PREFIX_UPPER } from './things.js';

export interface BillingGroupRecord {
  name: string;
  groupId: string;
  arn: string;
  description?: string;
  version: number;
  createdAt: Date;
}

/** The columns a billing group record is read from. */
const COLUMNS = ['name', 'group_id', 'arn', 'description', 'version', 'created_at'] as const;
type Row = Pick<BillingGroupsTable, (typeof COLUMNS)[number]>;

const fromRow = (r: Row): BillingGroupRecord => ({
  name: r.name,
  groupId: r.group_id,
  arn: r.arn,
  description: r.description ?? undefined,
  version: Number(r.version),
  createdAt: new Date(Number(r.created_at)),
});

const byName = prepared((q, accountId: string, region: string, name: string) =>
  q.selectFrom('billing_groups').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name),
);

const groupOf = prepared((q, accountId: string, region: string, thingName: string) =>
  q.selectFrom('billing_group_members').select('group_name').where('account_id', '=', accountId).where('region', '=', region).where('thing_name', '=', thingName),
);

/** Billing groups and which thing is in which (billing_group_members: one row per thing, at most one group). */
export class BillingGroupRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<BillingGroupRecord | undefined> {
    const row = await byName(this.db, scope.accountId, scope.region, name).first();
    return row && fromRow(row);
  }

  /** Inserts unless the name is taken; false when it is. */
  async insert(scope: Scope, g: BillingGroupRecord): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .insertInto('billing_groups')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          name: g.name,
          group_id: g.groupId,
          arn: g.arn,
          description: g.description ?? null,
          version: g.version,
          created_at: g.createdAt.getTime(),
        })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing()),
    );
    return n > 0;
  }

  /** Writes the description and version. */
  async update(scope: Scope, g: BillingGroupRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .updateTable('billing_groups')
        .set({ description: g.description ?? null, version: g.version })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', '=', g.name),
    );
  }

  /** Deletes the group and its memberships. */
  async delete(scope: Scope, name: string): Promise<void> {
    const q = qb(this.db);
    await run(this.db, q.deleteFrom('billing_group_members').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('group_name', '=', name));
    await run(this.db, q.deleteFrom('billing_groups').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', '=', name));
  }

  /** Keyset page in name order, optionally of names with a prefix; one row more than `limit`. */
  async list(scope: Scope, f: { namePrefix?: string; afterName?: string; limit: number }): Promise<BillingGroupRecord[]> {
    const query = qb(this.db)
      .selectFrom('billing_groups')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(f.namePrefix !== undefined, (w) => w.where('name', '>=', f.namePrefix!).where('name', '<', f.namePrefix + PREFIX_UPPER))
      .$if(f.afterName !== undefined, (w) => w.where('name', '>', f.afterName!))
      .orderBy('name')
      .limit(f.limit + 1);
    return (await all(this.db, query)).map(fromRow);
  }

  /** The billing group the thing is in, if any. */
  async groupOfThing(scope: Scope, thingName: string): Promise<string | undefined> {
    return (await groupOf(this.db, scope.accountId, scope.region, thingName).first())?.group_name;
  }

  /** Puts the thing in the group, out of any other billing group it was in. */
  async setGroupOfThing(scope: Scope, thingName: string, groupName: string, at: Date): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('billing_group_members')
        .values({ account_id: scope.accountId, region: scope.region, thing_name: thingName, group_name: groupName, added_at: at.getTime() })
        .onConflict((oc) =>
          oc.columns(['account_id', 'region', 'thing_name']).doUpdateSet((eb) => ({ group_name: eb.ref('excluded.group_name'), added_at: eb.ref('excluded.added_at') })),
        ),
    );
  }

  /** Takes the thing out of its billing group; only out of `groupName` when given. False when nothing changed. */
  async removeThing(scope: Scope, thingName: string, groupName?: string): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .deleteFrom('billing_group_members')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('thing_name', '=', thingName)
        .$if(groupName !== undefined, (w) => w.where('group_name', '=', groupName!)),
    );
    return n > 0;
  }

  /** Keyset page of the group's thing names in name order; one more than `limit`. */
  async thingNames(scope: Scope, groupName: string, afterName: string | undefined, limit: number): Promise<string[]> {
    const query = qb(this.db)
      .selectFrom('billing_group_members')
      .select('thing_name')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('group_name', '=', groupName)
      .$if(afterName !== undefined, (w) => w.where('thing_name', '>', afterName!))
      .orderBy('thing_name')
      .limit(limit + 1);
    return (await all(this.db, query)).map((r) => r.thing_name);
  }
}
