import type { Scope } from '../api/context.js';
import type { Driver } from './driver.js';

export interface Tag {
  Key: string;
  Value?: string;
}

/** Tags of any resource, by ARN. */
export class TagRepo {
  constructor(private readonly db: Driver) {}

  async list(scope: Scope, arn: string): Promise<Tag[]> {
    const rows = await this.db.all<{ tag_key: string; tag_value: string }>(
      'SELECT tag_key, tag_value FROM resource_tags WHERE account_id = ? AND region = ? AND resource_arn = ? ORDER BY tag_key',
      [scope.accountId, scope.region, arn],
    );
    return rows.map((r) => ({ Key: r.tag_key, Value: r.tag_value }));
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

  async removeAll(scope: Scope, arn: string): Promise<void> {
    await this.db.run('DELETE FROM resource_tags WHERE account_id = ? AND region = ? AND resource_arn = ?', [scope.accountId, scope.region, arn]);
  }
}
