import pg from 'pg';
import { DatabaseOpenError, DatabaseUnavailableError, withSavepoint, type Driver, type LockMode } from './driver.js';
import { addNotifier, channelOf, PgNoticeListener, type NoticeListenerOptions } from './pg-notices.js';

const INT8 = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** `?` placeholders become `$1..$n`; cached per SQL text. */
const numbered = new Map<string, string>();
function number(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let i = 0;
    out = sql.replace(/\?/g, () => `$${++i}`);
    numbered.set(sql, out);
  }
  return out;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03']);

function unavailable(e: unknown): unknown {
  const err = e as { code?: string; message?: string };
  const msg = err?.message ?? '';
  if (
    (err?.code && (CONNECTION_CODES.has(err.code) || err.code.startsWith('08'))) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(msg)
  ) {
    return new DatabaseUnavailableError(`PostgreSQL is unavailable: ${msg}`, e);
  }
  return e;
}

type Queryable = pg.Pool | pg.PoolClient;

class PgQueries {
  constructor(
    protected readonly q: Queryable,
    protected readonly channel: string,
  ) {}
  async notify(payloads: readonly string[]): Promise<void> {
    if (payloads.length === 1) await this.all('SELECT pg_notify(?, ?)', [this.channel, payloads[0]]);
    else if (payloads.length > 1) await this.all('SELECT pg_notify(?, p) FROM unnest(?::text[]) WITH ORDINALITY AS u(p, n) ORDER BY n', [this.channel, payloads]);
  }
  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return (await this.q.query(number(sql), params)).rows as T[];
    } catch (e) {
      throw unavailable(e);
    }
  }
  async get<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }
  async run(sql: string, params: unknown[] = []): Promise<number> {
    try {
      return (await this.q.query(number(sql), params)).rowCount ?? 0;
    } catch (e) {
      throw unavailable(e);
    }
  }
  async exec(sql: string): Promise<void> {
    try {
      await this.q.query(sql);
    } catch (e) {
      throw unavailable(e);
    }
  }
  async lock(key: string | readonly string[], mode: LockMode | readonly LockMode[] = 'exclusive'): Promise<void> {
    const keys = typeof key === 'string' ? [key] : key;
    const modes = typeof mode === 'string' ? keys.map(() => mode) : mode;
    if (keys.length === 0) return;
    if (keys.length === 1) {
      await this.all(`SELECT ${modes[0] === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}(hashtextextended(?, 0))`, [keys[0]]);
      return;
    }
    await this.all(
      `SELECT CASE WHEN s THEN pg_advisory_xact_lock_shared(hashtextextended(k, 0)) ELSE pg_advisory_xact_lock(hashtextextended(k, 0)) END
       FROM unnest(?::text[], ?::boolean[]) WITH ORDINALITY AS u(k, s, n) ORDER BY n`,
      [keys, modes.map((m) => m === 'shared')],
    );
  }
  async tryLock(key: string): Promise<boolean> {
    const [r] = await this.all<{ taken: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0)) AS taken', [key]);
    return r.taken === true;
  }
  async ping(): Promise<void> {
    await this.all('SELECT 1');
  }
}

/**
 * A transaction's connection. Its notices (sent last, by the beforeCommit work) are held and go
 * with the COMMIT, in one simple query: PostgreSQL delivers them at commit either way, and the
 * round trip of their own is saved. An error in them skips the COMMIT, and the transaction rolls back.
 */
class PgTransaction extends PgQueries implements Driver {
  readonly dialect = 'postgres' as const;
  private readonly notices: string[] = [];
  constructor(
    private readonly client: pg.PoolClient,
    channel: string,
  ) {
    super(client, channel);
  }
  override async notify(payloads: readonly string[]): Promise<void> {
    this.notices.push(...payloads);
  }
  /** The query that ends the transaction: its notices, in order, then COMMIT. */
  commitText(): string {
    if (this.notices.length === 0) return 'COMMIT';
    const lit = (s: string) => this.client.escapeLiteral(s);
    return `SELECT pg_notify(${lit(this.channel)}, p) FROM unnest(ARRAY[${this.notices.map(lit).join(', ')}]::text[]) WITH ORDINALITY AS u(p, n) ORDER BY n; COMMIT`;
  }
  savepoint<T>(fn: () => Promise<T>): Promise<T> {
    return withSavepoint(this, fn);
  }
  transaction<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async close(): Promise<void> {}
}

/** PostgreSQL through a `pg` pool. `?schema=NAME` in the URL puts every table in that schema. */
export class PostgresDriver extends PgQueries implements Driver {
  readonly dialect = 'postgres' as const;

  static async open(url: string, onError: (e: Error) => void): Promise<PostgresDriver> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DatabaseOpenError(`cannot open the PostgreSQL database: '${url}' is not a URL`);
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    const shown = redact(parsed);
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new DatabaseOpenError(`cannot open the PostgreSQL database ${shown}: schema '${schema}' must match [a-z_][a-z0-9_]*`);
    }
    let current: string;
    const pool = new pg.Pool({
      connectionString: parsed.toString(),
      max: 10,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      types,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    pool.on('error', onError);
    try {
      if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      // The schema the tables go to names the notice channel: nodes of one schema hear each other only.
      current = (await pool.query<{ s: string | null }>('SELECT current_schema() AS s')).rows[0]?.s ?? schema ?? 'public';
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new DatabaseOpenError(`cannot open the PostgreSQL database ${shown}: ${(e as Error).message || (e as { code?: string }).code}`);
    }
    return new PostgresDriver(pool, parsed.toString(), channelOf(current));
  }

  private readonly stopNotifying: () => void;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    channel: string,
  ) {
    super(pool, channel);
    this.stopNotifying = addNotifier(channel, this);
  }

  /** Listens to the notices of the other nodes on a connection of its own (src/store/pg-notices.ts). */
  listen(opts: Omit<NoticeListenerOptions, 'connectionString' | 'channel'>): Promise<PgNoticeListener> {
    return PgNoticeListener.start({ ...opts, connectionString: this.connectionString, channel: this.channel });
  }

  async transaction<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw unavailable(e);
    }
    // While the transaction holds the client the pool does not listen on it: a socket that dies between
    // queries would be an unhandled 'error' event and end the process. It ends the transaction instead.
    let broken: unknown;
    const onLost = (e: Error) => (broken = e);
    client.on('error', onLost);
    try {
      await client.query('BEGIN');
      const tx = new PgTransaction(client, this.channel);
      const result = await fn(tx);
      await client.query(tx.commitText());
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch((err) => (broken = err));
      throw unavailable(e);
    } finally {
      client.removeListener('error', onLost);
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  savepoint<T>(fn: () => Promise<T>): Promise<T> {
    return this.transaction(() => fn());
  }

  async close(): Promise<void> {
    this.stopNotifying();
    await this.pool.end();
  }
}

function redact(u: URL): string {
  const c = new URL(u.toString());
  if (c.password) c.password = '***';
  return c.toString();
}
