/**
 * The smallest database surface both backends share. SQL is written once with `?`
 * placeholders in the common subset of SQLite and PostgreSQL; the PostgreSQL driver
 * numbers the placeholders. Integers come back as JS numbers on both.
 */
/** How a lock key is held: alone (the default), or shared with other shared holders. */
export type LockMode = 'exclusive' | 'shared';

export interface Driver {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; nested calls join the outer one. */
  transaction<T>(fn: (tx: Driver) => Promise<T>): Promise<T>;
  /**
   * Inside a transaction: serialise every writer that takes the same key until commit. Several
   * keys are taken in the order given, in one statement. `shared`: any number of holders at once,
   * none while someone holds the key exclusively (the default), and the other way round; a list of
   * modes gives each key its own.
   */
  lock(key: string | readonly string[], mode?: LockMode | readonly LockMode[]): Promise<void>;
  /** Inside a transaction: takes `key` exclusively until commit if no one holds it, at once; false (and nothing taken) when someone does. */
  tryLock(key: string): Promise<boolean>;
  /** Inside a transaction: runs `fn` so that, if it throws, its writes are undone and the transaction goes on. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * PostgreSQL only: NOTIFY the schema's notice channel (src/store/pg-notices.ts) with each of
   * `payloads`, in order, in one statement; inside a transaction PostgreSQL delivers them at commit.
   */
  notify?(payloads: readonly string[]): Promise<void>;
}

/** The database could not be reached (connection refused, lost, timed out). Answered as ServiceUnavailable. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** The database could not be opened at start-up: a one-line reason naming the path or URL. */
export class DatabaseOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

let savepoints = 0;

/** SAVEPOINT / RELEASE / ROLLBACK TO, the same on both backends. */
export async function withSavepoint<T>(db: Pick<Driver, 'exec'>, fn: () => Promise<T>): Promise<T> {
  const name = `sp${++savepoints}`;
  await db.exec(`SAVEPOINT ${name}`);
  try {
    const result = await fn();
    await db.exec(`RELEASE ${name}`);
    return result;
  } catch (e) {
    await db.exec(`ROLLBACK TO ${name}`);
    await db.exec(`RELEASE ${name}`);
    throw e;
  }
}
