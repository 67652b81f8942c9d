import type { Scope } from '../base/scope.js';
import { withAfterCommit } from './after-commit.js';
import { DatabaseOpenError, type Driver, type LockMode } from './driver.js';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations/index.js';
import type { NoticeListenerOptions, PgNoticeListener } from './pg-notices.js';
import { PostgresDriver } from './postgres.js';
import { repos, type Repos } from './repos.js';
import { SqliteDriver } from './sqlite.js';
import { qb, run, type Table } from './sql.js';

export type { Repos } from './repos.js';

export interface StoreTx extends Repos {
  /**
   * The transaction's connection. Only tests and benchmarks use it (to plant rows in bulk or read
   * them back); code outside src/store goes through the repos, which test/unit/layers.test.ts enforces.
   */
  readonly db: Driver;
  /**
   * Serialises writers of one kind of resource in one scope until the transaction ends (limits,
   * uniqueness). Several keys are taken in the order given, at once (one round trip). `shared`
   * (Driver.lock): held with other shared holders, apart from an exclusive one.
   */
  lock(scope: Scope, what: string | readonly string[], mode?: LockMode | readonly LockMode[]): Promise<void>;
  /** `lock` of one key, exclusive, only if no one holds it: false at once when someone does. */
  tryLock(scope: Scope, what: string): Promise<boolean>;
  /** Runs `fn` so that, if it throws, its writes are undone and the transaction goes on. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
}

/** One store over either backend; the SQL and the rules are the same for both. */
export class Store {
  /** The repositories outside any transaction. */
  readonly repos: Repos;

  /** `db` is the store's connection: see StoreTx.db for who may use it. */
  private constructor(readonly db: Driver, readonly location: string) {
    this.repos = repos(db);
  }

  get mitigationActions(): Repos['mitigationActions'] {
    return this.repos.mitigationActions;
  }

  get tags(): Repos['tags'] {
    return this.repos.tags;
  }

  get dialect(): Driver['dialect'] {
    return this.db.dialect;
  }

  /** Opens (and migrates) the database: PostgreSQL when `databaseUrl` is set, else SQLite under `dataDir`. */
  static async open(opts: { dataDir: string; databaseUrl?: string; onPoolError?: (e: Error) => void }): Promise<Store> {
    const db = opts.databaseUrl
      ? await PostgresDriver.open(opts.databaseUrl, opts.onPoolError ?? (() => undefined))
      : SqliteDriver.open(opts.dataDir);
    const location = opts.databaseUrl ?? opts.dataDir;
    try {
      const version = await schemaVersion(db).catch(() => 0);
      if (version > LATEST_VERSION) {
        throw new DatabaseOpenError(`the database ${location} has schema version ${version}, newer than this Warden (${LATEST_VERSION}); upgrade Warden`);
      }
      await migrate(db);
    } catch (e) {
      await db.close().catch(() => undefined);
      if (e instanceof DatabaseOpenError) throw e;
      throw new DatabaseOpenError(`cannot migrate the database ${location}: ${(e as Error).message}`);
    }
    return new Store(db, location);
  }

  /** Runs `fn` in one transaction; work queued with afterCommit (src/store/after-commit.ts) runs once it has committed. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return withAfterCommit((beforeCommit) =>
      this.db.transaction(async (tx) => {
        const key = (scope: Scope, what: string) => `${scope.accountId}/${scope.region}/${what}`;
        const lock = (scope: Scope, what: string | readonly string[], mode?: LockMode | readonly LockMode[]) => tx.lock(typeof what === 'string' ? key(scope, what) : what.map((w) => key(scope, w)), mode);
        const result = await fn({ ...repos(tx), db: tx, lock, tryLock: (scope, what) => tx.tryLock(key(scope, what)), savepoint: (f) => tx.savepoint(f) });
        await beforeCommit(tx);
        return result;
      }),
    );
  }

  /**
   * PostgreSQL: listens to the notices the other nodes sharing the database (and schema) send, on
   * a connection of its own (src/store/pg-notices.ts). SQLite has one node: undefined.
   */
  listenToOtherNodes(opts: Omit<NoticeListenerOptions, 'connectionString' | 'channel'>): Promise<PgNoticeListener | undefined> {
    return this.db instanceof PostgresDriver ? this.db.listen(opts) : Promise.resolve(undefined);
  }

  /** The schema version the database is at (the last migration applied). */
  schemaVersion(): Promise<number> {
    return schemaVersion(this.db);
  }

  health(): Promise<void> {
    return this.db.ping();
  }

  /** Empties every table but the migration log. */
  async reset(): Promise<void> {
    // Raw SQL: the catalogue of each backend (sqlite_master, information_schema) is not in the typed schema.
    const catalogue =
      this.db.dialect === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'warden_migrations'"
        : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'warden_migrations'";
    const tables = await this.db.all<{ name: Table }>(catalogue);
    await this.db.transaction(async (tx) => {
      for (const t of tables) await run(tx, qb(tx).deleteFrom(t.name));
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
