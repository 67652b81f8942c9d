import type { Scope } from '../api/context.js';
import { DatabaseOpenError, type Driver } from './driver.js';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations/index.js';
import { MitigationActionRepo } from './mitigation-actions.js';
import { PostgresDriver } from './postgres.js';
import { SqliteDriver } from './sqlite.js';
import { TagRepo } from './tags.js';

/** The repositories, bound to one connection or one transaction. */
export interface Repos {
  readonly mitigationActions: MitigationActionRepo;
  readonly tags: TagRepo;
}

export interface StoreTx extends Repos {
  /** Serialises writers of one kind of resource in one scope until the transaction ends (limits, uniqueness). */
  lock(scope: Scope, what: string): Promise<void>;
}

/** Tables that hold state (everything but the migration log); `reset` empties them. */
const DATA_TABLES = ['mitigation_actions', 'resource_tags'];

/** One store over either backend; the SQL and the rules are the same for both. */
export class Store implements Repos {
  readonly mitigationActions: MitigationActionRepo;
  readonly tags: TagRepo;

  private constructor(readonly db: Driver, readonly location: string) {
    this.mitigationActions = new MitigationActionRepo(db);
    this.tags = new TagRepo(db);
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

  static fromDriver(db: Driver, location: string): Store {
    return new Store(db, location);
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      fn({
        mitigationActions: new MitigationActionRepo(tx),
        tags: new TagRepo(tx),
        lock: (scope, what) => tx.lock(`${scope.accountId}/${scope.region}/${what}`),
      }),
    );
  }

  health(): Promise<void> {
    return this.db.ping();
  }

  async reset(): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const t of DATA_TABLES) await tx.run(`DELETE FROM ${t}`);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
