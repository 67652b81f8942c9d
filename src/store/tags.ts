import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

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
    const key = this.db.dialect === 'postgres' ? 'tag_key COLLATE "C"' : 'tag_key';
    const params: unknown[] = [scope.accountId, scope.region, arn];
    let where = 'account_id = ? AND region = ? AND resource_arn = ?';
    if (opts.after !== undefined) {
      where += ` AND ${key} > ?`;
      params.push(opts.after);
    }
    const limit = opts.limit === undefined ? '' : ' LIMIT ?';
    if (opts.limit !== undefined) params.push(opts.limit + 1);
    const rows = await this.db.all<{ tag_key: string; tag_value: string }>(
      `SELECT tag_key, tag_value FROM resource_tags WHERE ${where} ORDER BY ${key}${limit}`,
      params,
    );
    return rows.map((r) => ({ Key: r.tag_key, Value: r.tag_value }));
  }

  /** The keys a resource has. */
  async keys(scope: Scope, arn: string): Promise<Set<string>> {
    return new Set((await this.list(scope, arn)).map((t) => t.Key));
  }

  /** Adds or overwrites the given keys. */
  async put(scope: Scope, arn: string, tags: Tag[]): Promise<void> {
    for (const t of tags) {
      await this.db.run(
        `INSERT INTO resource_tags (account_id, region, resource_arn, tag_key, tag_value) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (account_id, region, resource_arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value`,
        [scope.accountId, scope.region, arn, t.Key, t.Value ?? ''],
      );
    }
  }

  /** Removes the given keys; keys the resource does not have are ignored. */
  async remove(scope: Scope, arn: string, keys: string[]): Promise<void> {
    for (const key of keys) {
      await this.db.run('DELETE FROM resource_tags WHERE account_id = ? AND region = ? AND resource_arn = ? AND tag_key = ?', [scope.accountId, scope.region, arn, key]);
    }
  }

  async removeAll(scope: Scope, arn: string): Promise<void> {
    await this.db.run('DELETE FROM resource_tags WHERE account_id = ? AND region = ? AND resource_arn = ?', [scope.accountId, scope.region, arn]);
  }
}
