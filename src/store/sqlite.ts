import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointerData, CheckpointReport } from './sqlite-checkpointer.js';
import { DatabaseOpenError, withSavepoint, type Driver } from './driver.js';

/**
 * The settings of Warden's writer (bench/engine-floor.ts opens its file with the same). WAL, so
 * the reader (below) reads the last committed state while the writer has a transaction open.
 */
export const SQLITE_PRAGMAS: readonly string[] = ['journal_mode = WAL', 'synchronous = NORMAL', 'busy_timeout = 2000', 'foreign_keys = ON'];

/**
 * The writer's own settings. A page cache of 48 MiB rather than SQLite's 2 MiB: a mitigation batch
 * reads and writes certificates, targets and executions at random places, and with the small cache
 * most of those pages came from the operating system again at every batch (a system call and a
 * copy each); 48 rather than 64, as the reader and the checkpointer thread have their memory beside
 * it (the floor, which has neither, keeps 64). Checkpoints are the checkpointer thread's (src/store/sqlite-checkpointer.ts),
 * every CHECKPOINT_MS; the writer checkpoints itself only if the WAL reaches 1 GiB (the thread is
 * far behind or gone). A WAL file is cut back to 256 MiB when it starts over: more than it reaches
 * between two starts (CATCH_UP_FRAMES and a batch or so), so the same file is written over again
 * rather than cut and grown (growing a file has the kernel allocate and zero its new pages).
 */
const WRITER_PRAGMAS: readonly string[] = ['cache_size = -49152', 'wal_autocheckpoint = 262144', 'journal_size_limit = 268435456'];
export const CHECKPOINT_MS = 100;
/**
 * A WAL of this many frames (128 MiB of pages) makes the next transaction wait, without holding
 * the event loop, for the checkpointer to copy it whole, so that the transaction starts the WAL
 * over (see src/store/sqlite-checkpointer.ts); at most CATCH_UP_MS.
 */
export const CATCH_UP_FRAMES = 32768;
const CATCH_UP_MS = 2000;

/** The reader's settings: its own, smaller page cache; it never writes. */
const READER_PRAGMAS: readonly string[] = ['busy_timeout = 2000', 'cache_size = -8192', 'query_only = ON'];

/** A transaction open this long lets the event loop turn before its next statement (requests, the broker, timers). */
export const TURN_MS = 8;

/**
 * SQLite through better-sqlite3: one writer connection, WAL, and a read-only reader connection.
 * Calls are synchronous underneath, so a transaction that awaits between statements holds a
 * mutex: writes from other requests wait for it instead of landing inside it. A read outside any
 * transaction that comes while one is open goes to the reader, which sees the state before that
 * transaction (as if the read had come just before it) and does not wait for it. A transaction
 * that has run for TURN_MS yields to the event loop before its next statement, so a long one (an
 * engine batch) does not hold up reads, packets and timers. One Warden owns a data folder: it
 * holds an exclusive lock on `warden.lock` beside the database while it runs.
 */
export class SqliteDriver implements Driver {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Prepared>();
  private readonly reader: Database.Database;
  /** The reader's statements; undefined for a statement that writes (it runs on the writer). */
  private readonly readerStatements = new Map<string, Prepared | undefined>();
  /** When the open transaction next lets the event loop turn. */
  private turnAt = 0;
  private readonly checkpointer: Worker;
  /** The WAL's frames at the checkpointer's last report. */
  private walFrames = 0;
  private caughtUp: (() => void) | undefined;
  /** Settles when the last queued transaction ends; `open` while one runs. */
  private tail: Promise<void> = Promise.resolve();
  private open = false;
  private readonly inside: Driver;

  /** `catchUpFrames`: CATCH_UP_FRAMES unless given (tests give a small one). */
  static open(dataDir: string, catchUpFrames = CATCH_UP_FRAMES): SqliteDriver {
    const dir = resolve(dataDir);
    const file = join(dir, 'warden.sqlite');
    let owner: Database.Database | undefined;
    try {
      mkdirSync(dir, { recursive: true });
      owner = ownFolder(join(dir, 'warden.lock'));
      const db = new Database(file);
      for (const p of [...SQLITE_PRAGMAS, ...WRITER_PRAGMAS]) db.pragma(p);
      return new SqliteDriver(db, new Database(file, { readonly: true, fileMustExist: true }), owner, file, catchUpFrames);
    } catch (e) {
      if (owner?.open) owner.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY') {
        throw new DatabaseOpenError(`the SQLite database ${file} is in use by another process (is another Warden serving this --data-dir?)`);
      }
      throw new DatabaseOpenError(`cannot open the SQLite database ${file}: ${(e as Error).message}`);
    }
  }

  private constructor(
    db: Database.Database,
    reader: Database.Database,
    private readonly owner: Database.Database,
    file: string,
    private readonly catchUpFrames: number,
  ) {
    this.db = db;
    this.reader = reader;
    for (const p of READER_PRAGMAS) reader.pragma(p);
    const data: CheckpointerData = { file, everyMs: CHECKPOINT_MS };
    // A thread that runs one pragma needs little heap: small limits keep its share of the process's memory small.
    this.checkpointer = new Worker(new URL('./sqlite-checkpointer.js', import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 } });
    this.checkpointer.unref();
    this.checkpointer.on('message', (r: CheckpointReport) => {
      this.walFrames = r.frames;
      if (r.reply) this.caughtUp?.();
    });
    const gone = () => {
      this.walFrames = 0; // the writer's own checkpoint remains (WRITER_PRAGMAS)
      this.caughtUp?.();
    };
    this.checkpointer.on('error', gone);
    this.checkpointer.on('exit', gone);
    const self = this;
    this.inside = {
      dialect: 'sqlite',
      all: self.turning((sql: string, params?: unknown[]) => self.rows(self.stmt(sql), params ?? []) as never),
      get: self.turning((sql: string, params?: unknown[]) => self.row(self.stmt(sql), params ?? []) as never),
      run: self.turning((sql: string, params?: unknown[]) => self.stmt(sql).stmt.run(...(params ?? [])).changes),
      exec: self.turning((sql: string) => void self.db.exec(sql)),
      transaction: (fn) => fn(self.inside),
      lock: async () => undefined, // BEGIN IMMEDIATE already holds the only write lock
      tryLock: async () => true,
      savepoint: (fn) => withSavepoint(self.inside, fn),
      ping: async () => undefined,
      close: async () => undefined,
    };
  }

  /** `statement` for the open transaction: first lets the event loop turn once when the transaction has run TURN_MS since the last turn. */
  private turning<A extends unknown[], R>(statement: (...args: A) => R): (...args: A) => Promise<R> {
    return async (...args) => {
      if (performance.now() >= this.turnAt) {
        await turn();
        this.turnAt = performance.now() + TURN_MS;
      }
      return statement(...args);
    };
  }

  private stmt(sql: string): Prepared {
    let p = this.statements.get(sql);
    if (!p) this.statements.set(sql, (p = prepared(this.db, sql)));
    return p;
  }

  /**
   * The reader's statement for `sql`, or undefined when `sql` writes, or names what the reader
   * cannot see yet (a table the open transaction creates): then it waits for the writer.
   */
  private readerStmt(sql: string): Prepared | undefined {
    if (this.readerStatements.has(sql)) return this.readerStatements.get(sql);
    let p: Prepared;
    try {
      p = prepared(this.reader, sql);
    } catch {
      return undefined; // not remembered: once committed, the reader may see it
    }
    const usable = p.stmt.readonly ? p : undefined;
    this.readerStatements.set(sql, usable);
    return usable;
  }

  // get and all throw for a statement that returns no rows, before toObject is needed.
  private row({ stmt, toObject }: Prepared, params: unknown[]): unknown {
    const values = stmt.get(...params) as unknown[] | undefined;
    return values && toObject!(values);
  }

  private rows({ stmt, toObject }: Prepared, params: unknown[]): unknown[] {
    const rows = stmt.all(...params) as unknown[][];
    for (let i = 0; i < rows.length; i++) rows[i] = toObject!(rows[i]) as unknown[];
    return rows;
  }

  /** Waits until no transaction is open; the caller then runs its statement synchronously. */
  private async idle(): Promise<void> {
    while (this.open) await this.tail;
  }

  /** Where a read that comes while a transaction is open runs: the reader, or for a statement that writes, the writer once free. */
  private async readVia(sql: string): Promise<Prepared> {
    const r = this.readerStmt(sql);
    if (r) return r;
    await this.idle();
    return this.stmt(sql);
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    // With no transaction open the statement runs now, on the writer, before anything else can begin one.
    return this.rows(this.open ? await this.readVia(sql) : this.stmt(sql), params) as T[];
  }

  async get<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return this.row(this.open ? await this.readVia(sql) : this.stmt(sql), params) as T | undefined;
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
    if (this.walFrames >= this.catchUpFrames) await this.catchUp();
    this.open = true;
    this.turnAt = performance.now() + TURN_MS;
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

  async tryLock(): Promise<boolean> {
    return true;
  }

  savepoint<T>(fn: () => Promise<T>): Promise<T> {
    return this.transaction(() => fn());
  }

  /** Waits (the event loop free) for the checkpointer to copy the WAL whole, at most CATCH_UP_MS. */
  private async catchUp(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.caughtUp = resolve;
      timer = setTimeout(resolve, CATCH_UP_MS);
      this.checkpointer.postMessage('catch-up');
    });
    clearTimeout(timer);
    this.caughtUp = undefined;
    this.walFrames = 0; // until the next report: a WAL that stays long (a reader held it) is waited for once a round at most
  }

  /** Stops the checkpointer thread and waits for it to end (its connection closed). */
  private async stopCheckpointer(): Promise<void> {
    const w = this.checkpointer;
    if (w.threadId === -1) return; // already ended
    const ended = new Promise<void>((r) => w.once('exit', () => r()));
    w.ref(); // the wait for its end keeps the process alive
    w.postMessage('stop');
    await ended;
  }

  async ping(): Promise<void> {
    await this.get('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.tail;
    await this.stopCheckpointer();
    if (this.reader.open) this.reader.close();
    if (this.db.open) this.db.close();
    if (this.owner.open) this.owner.close();
  }
}

/** Prepares `sql` on `db`, rows as arrays turned into objects by a compiled factory. */
function prepared(db: Database.Database, sql: string): Prepared {
  const stmt = db.prepare(sql);
  // Rows come back as arrays and become objects in JavaScript: better-sqlite3 builds an
  // object row property by property through V8's slow path, several times the cost.
  if (stmt.reader) stmt.raw(true);
  return { stmt, toObject: stmt.reader ? rowFactory(stmt.columns().map((c) => c.name)) : undefined };
}

/**
 * Takes the data folder for this process: an exclusive lock on `file` (a SQLite file of its own,
 * in exclusive locking mode with a transaction left open), held until the connection closes or
 * the process ends, however it ends. A second process gets SQLITE_BUSY at once.
 */
function ownFolder(file: string): Database.Database {
  const lock = new Database(file, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    return lock;
  } catch (e) {
    lock.close();
    throw e;
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
