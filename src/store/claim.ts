import type { SelectQueryBuilder } from 'kysely';
import type { Driver } from './driver.js';
import type { Database } from './schema.generated.js';
import { all, prepared, qb, type Compiled, type Q } from './sql.js';

/**
 * The one way background work is claimed, on either backend. Inside a transaction, `claim` runs
 * the caller's selection of due work (its filter and order) for at most `limit` rows and holds
 * them until commit: PostgreSQL adds FOR UPDATE SKIP LOCKED, so a worker on another node skips the
 * rows being claimed and takes the next ones instead of waiting; SQLite has one writer (the
 * transaction holds the database's only write lock), so the selection is already exclusive.
 *
 * Work that outlives the transaction (an audit that runs for minutes, an SNS delivery) also takes
 * a lease: the repo stamps owner and expiry on the claimed rows in the same transaction, and its
 * selection skips rows with a live lease, so a crashed node's work is claimable again once the
 * lease expires. Work done inside the transaction (a batch of mitigation targets, a scheduled
 * audit's next run) needs no lease.
 */
export async function claim<DB, TB extends keyof DB, O>(db: Driver, due: SelectQueryBuilder<DB, TB, O>, limit: number): Promise<O[]> {
  const query = due.limit(limit);
  return all(db, db.dialect === 'postgres' ? query.forUpdate().skipLocked() : query);
}

/** `claim` for a selection of due work compiled once (a loop's per-round query); `build` sets its limit. */
export function claiming<A extends unknown[], TB extends keyof Database, O>(
  build: (q: Q, ...args: A) => SelectQueryBuilder<Database, TB, O>,
): (db: Driver, ...args: A) => Compiled<O> {
  const postgres = qb({ dialect: 'postgres' });
  return prepared((q: Q, ...args: A) => {
    const due = build(q, ...args);
    return q === postgres ? due.forUpdate().skipLocked() : due;
  }, build.length - 1);
}
