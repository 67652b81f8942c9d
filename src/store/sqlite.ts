import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseOpenError, withSavepoint, type Driver } from './driver.js';

/**
 * The settings of Warden's connection (bench/engine-floor.ts opens its file with the same). One
 * Warden owns its SQLite file: exclusive locking keeps the WAL index in memory and spares two
 * file-lock system calls per statement; a second process on the same folder is refused. A page
 * cache of 64 MiB rather than SQLite's 2 MiB: a mitigation batch reads and writes certificates,
 * targets and executions at random places, and with the small cache most of those pages came
 * from the operating system again at every batch (a system call and a copy each).
 */
export const SQLITE_PRAGMAS: readonly string[] = [
  'locking_mode = EXCLUSIVE',
  'journal_mode = WAL',
  'synchronous = NORMAL',
  'busy_timeout = 2000',
  'foreign_keys = ON',
  'cache_size = -65536',
];

/**
 * SQLite through better-sqlite3: one connection, WAL. Calls are synchronous underneath, so a
 * transaction that awaits between statements holds a mutex; statements from other requests
 * wait for it instead of landing inside it.
 */
export class SqliteDriver implements Driver {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Prepared>();
  /** Settles when the last queued transaction ends; `open` while one runs. */
  private tail: Promise<void> = Promise.resolve();
  private open = false;
  private readonly inside: Driver;

  static open(dataDir: string): SqliteDriver {
    const dir = resolve(dataDir);
    const file = join(dir, 'warden.sqlite');
    try {
      mkdirSync(dir, { recursive: true });
      return new SqliteDriver(new Database(file));
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_BUSY') {
        throw new DatabaseOpenError(`the SQLite database ${file} is in use by another process (is another Warden serving this --data-dir?)`);
      }
      throw new DatabaseOpenError(`cannot open the SQLite database ${file}: ${(e as Error).message}`);
    }
  }

  private constructor(db: Database.Database) {
    this.db = db;
    for (const p of SQLITE_PRAGMAS) db.pragma(p);
    const self = this;
    this.inside = {
      dialect: 'sqlite',
      all: async (sql, params) => self.rows(sql, params ?? []) as never,
      get: async (sql, params) => self.row(sql, params ?? []) as never,
      run: async (sql, params) => self.stmt(sql).stmt.run(...(params ?? [])).changes,
      exec: async (sql) => void self.db.exec(sql),
      transaction: (fn) => fn(self.inside),
      lock: async () => undefined, // BEGIN IMMEDIATE already holds the only write lock
      savepoint: (fn) => withSavepoint(self.inside, fn),
      ping: async () => undefined,
      close: async () => undefined,
    };
  }

  private stmt(sql: string): Prepared {
    let p = this.statements.get(sql);
    if (!p) {
      const stmt = this.db.prepare(sql);
      // Rows come back as arrays and become objects in JavaScript: better-sqlite3 builds an
      // object row property by property through V8's slow path, several times the cost.
      if (stmt.reader) stmt.raw(true);
      p = { stmt, toObject: stmt.reader ? rowFactory(stmt.columns().map((c) => c.name)) : undefined };
      this.statements.set(sql, p);
    }
    return p;
  }

  // get and all throw for a statement that returns no rows, before toObject is needed.
  private row(sql: string, params: unknown[]): unknown {
    const { stmt, toObject } = this.stmt(sql);
    const values = stmt.get(...params) as unknown[] | undefined;
    return values && toObject!(values);
  }

  private rows(sql: string, params: unknown[]): unknown[] {
    const { stmt, toObject } = this.stmt(sql);
    const rows = stmt.all(...params) as unknown[][];
    for (let i = 0; i < rows.length; i++) rows[i] = toObject!(rows[i]) as unknown[];
    return rows;
  }

  /** Waits until no transaction is open; the caller then runs its statement synchronously. */
  private async idle(): Promise<void> {
    while (this.open) await this.tail;
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.open) await this.idle();
    return this.rows(sql, params) as T[];
  }

  async get<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    if (this.open) await this.idle();
    return this.row(sql, params) as T | undefined;
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    if (this.open) await this.idle();
    return this.stmt(sql).stmt.run(...params).changes;
  }

  async exec(sql: string): Promise<void> {
    if (this.open) await this.idle();
    this.db.exec(sql);
  }

  async transaction<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((r) => (release = r));
    await previous;
    this.open = true;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.inside);
        this.db.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      this.open = false;
      release();
    }
  }

  async lock(): Promise<void> {}

  savepoint<T>(fn: () => Promise<T>): Promise<T> {
    return this.transaction(() => fn());
  }

  async ping(): Promise<void> {
    await this.get('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.tail;
    if (this.db.open) this.db.close();
  }
}

interface Prepared {
  stmt: Database.Statement;
  /** For statements that return rows: turns a raw row (values in column order) into an object. */
  toObject?: (values: unknown[]) => unknown;
}

/**
 * A function that makes a row object with the columns' names as keys, compiled once per
 * statement so every row has the same shape (an object literal, V8's fast path). A later
 * column of the same name wins, as in better-sqlite3's own rows; `__proto__` is written as a
 * computed key, which makes an own property rather than setting the prototype.
 */
export function rowFactory(names: string[]): (values: unknown[]) => unknown {
  const body = names.map((name, i) => `${name === '__proto__' ? '["__proto__"]' : JSON.stringify(name)}: v[${i}]`).join(', ');
  return new Function('v', `return { ${body} };`) as (values: unknown[]) => unknown;
}
