import { sql } from 'kysely';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { all, inChunks, insertRows, qb, run } from './sql.js';

export interface Tag {
  Key: string;
  Value?: string;
}

/** Tags of any resource, by ARN. */
export class TagRepo {
  constructor(private readonly db: Driver) {}

  async list(scope: Scope, arn: string): Promise<Tag[]> {
    return this.page(scope, arn, {});
  }

  /** Keyset page in key order after `after`; one row more than `limit` (when given) so the caller knows if more follow. */
  async page(scope: Scope, arn: string, opts: { after?: string; limit?: number }): Promise<Tag[]> {
    // resource_tags.tag_key has the database's collation; compare by code point on both backends.
    // Raw SQL: Kysely has no COLLATE for an expression; PostgreSQL needs it to order by code point.
    const key = this.db.dialect === 'postgres' ? sql<string>`tag_key COLLATE "C"` : sql.ref<string>('tag_key');
    const query = qb(this.db)
      .selectFrom('resource_tags')
      .select(['tag_key', 'tag_value'])
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('resource_arn', '=', arn)
      .$if(opts.after !== undefined, (w) => w.where(key, '>', opts.after!))
      .orderBy(key)
      .$if(opts.limit !== undefined, (w) => w.limit(opts.limit! + 1));
    const rows = await all(this.db, query);
    return rows.map((r) => ({ Key: r.tag_key, Value: r.tag_value }));
  }

  /** The keys a resource has. */
  async keys(scope: Scope, arn: string): Promise<Set<string>> {
    return new Set((await this.list(scope, arn)).map((t) => t.Key));
  }

  /** Adds or overwrites the given keys (a key given twice takes its last value). */
  async put(scope: Scope, arn: string, tags: Tag[]): Promise<void> {
    const values = new Map(tags.map((t) => [t.Key, t.Value ?? '']));
    const rows = [...values].map(([k, v]) => ({ account_id: scope.accountId, region: scope.region, resource_arn: arn, tag_key: k, tag_value: v }));
    await insertRows(this.db, 'resource_tags', rows, (q) =>
      q.onConflict((oc) => oc.columns(['account_id', 'region', 'resource_arn', 'tag_key']).doUpdateSet((eb) => ({ tag_value: eb.ref('excluded.tag_value') }))),
    );
  }

  /** Removes the given keys; keys the resource does not have are ignored. */
  async remove(scope: Scope, arn: string, keys: string[]): Promise<void> {
    await inChunks(keys, async (chunk) => {
      await run(
        this.db,
        qb(this.db)
          .deleteFrom('resource_tags')
          .where('account_id', '=', scope.accountId)
          .where('region', '=', scope.region)
          .where('resource_arn', '=', arn)
          .where('tag_key', 'in', chunk),
      );
    });
  }

  async removeAll(scope: Scope, arn: string): Promise<void> {
    await run(this.db, qb(this.db).deleteFrom('resource_tags').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('resource_arn', '=', arn));
  }
}
