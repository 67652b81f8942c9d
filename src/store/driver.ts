/**
 * The smallest database surface both backends share. SQL is written once with `?`
 * placeholders in the common subset of SQLite and PostgreSQL; the PostgreSQL driver
 * numbers the placeholders. Integers come back as JS numbers on both.
 */
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
  /** Inside a transaction: serialise every writer that takes the same key until commit. */
  lock(key: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
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
