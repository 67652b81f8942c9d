import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { all, qb, run } from './sql.js';

/** Tables of resources keyed by (account_id, region, name) whose repos share these reads and deletes. */
export type NamedTable = 'dimensions' | 'custom_metrics';

/** One keyset page of a scope's names in name order; one more than `limit`, so the caller knows whether more follow. */
export async function namePage(db: Driver, table: NamedTable, scope: Scope, afterName: string | undefined, limit: number): Promise<string[]> {
  const query = qb(db)
    .selectFrom(table)
    .select('name')
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .$if(afterName !== undefined, (w) => w.where('name', '>', afterName!))
    .orderBy('name')
    .limit(limit + 1);
  return (await all(db, query)).map((r) => r.name);
}

/** Deletes one named resource of the scope. */
export async function deleteNamed(db: Driver, table: NamedTable, scope: Scope, name: string): Promise<void> {
  await run(db, qb(db).deleteFrom(table).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', '=', name));
}
