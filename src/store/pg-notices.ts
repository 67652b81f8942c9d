import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { beforeCommitEach } from './after-commit.js';
import type { Driver } from './driver.js';

/**
 * Notices between the Warden nodes that share one PostgreSQL database (and schema): PostgreSQL's
 * LISTEN/NOTIFY on one channel per schema. The registry's change notices (src/registry/notice.ts)
 * are told in-process to this node's listeners and, through `broadcast`, to the other nodes, whose
 * `PgNoticeListener` hands them to their own listeners. SQLite has one node: nothing is sent.
 *
 * When: inside a Store.transaction the notice is a `pg_notify` run on the transaction's own
 * connection with its COMMIT, all of the transaction's notices in one statement sent in the same
 * query as the COMMIT (after-commit.ts beforeCommitEach, postgres.ts PgTransaction). PostgreSQL delivers it when, and
 * only if, that transaction commits: there is no moment where the change is committed but the
 * notice could still be lost (this process dying, or the database refusing a second statement
 * after commit), and a rollback sends nothing. Notices with the same payload in one transaction are
 * delivered once. The cost: the commit of a transaction that notified takes PostgreSQL's global
 * notify-queue lock (such commits are serialised; fine at Warden's rates). Outside any
 * transaction the write has already committed, so the notice goes at once through the pool of
 * every PostgreSQL store open in this process (one, outside tests; a notice heard by a node that
 * did not need it only costs a re-read).
 *
 * Payload: JSON `{kind, node, ...fields}`, small (a couple of hundred bytes); `node` is this
 * process's id, so a node drops its own notices (its listeners were told in-process). One that
 * would not fit PostgreSQL's 8000 bytes goes as `{kind: "everything"}`: every receiver re-reads all.
 */

/** This process's id in the notices it sends. */
export const NODE_ID = randomUUID();

/** The kind of a notice that stands for any change: re-read everything. */
export const EVERYTHING = 'everything';

/** PostgreSQL refuses payloads of 8000 bytes or more; a margin below that. */
export const MAX_PAYLOAD_BYTES = 7900;

/** The channel of a schema: a lower-case identifier of at most 63 bytes (PostgreSQL's limit), usable unquoted. */
export function channelOf(schema: string): string {
  const plain = `warden_notices_${schema}`;
  if (/^[a-z_][a-z0-9_]*$/.test(schema) && plain.length <= 63) return plain;
  return `warden_notices_h${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/** A notice as it travels: its kind, the sending node, and string fields. */
export interface NodeNotice {
  readonly kind: string;
  readonly node: string;
  readonly [field: string]: string;
}

/** The open PostgreSQL stores of this process (their pools) by channel, for notices sent outside a transaction. */
const pools = new Map<string, Set<Driver>>();

export function addNotifier(channel: string, db: Driver): () => void {
  let set = pools.get(channel);
  if (!set) pools.set(channel, (set = new Set()));
  set.add(db);
  return () => {
    set.delete(db);
    if (set.size === 0 && pools.get(channel) === set) pools.delete(channel);
  };
}

/** The transaction's notices, in the order they were sent, in one statement. */
const notifyAll = (db: Driver, payloads: string[]): Promise<void> => db.notify?.(payloads) ?? Promise.resolve();

/**
 * Tells the other nodes sharing the database, when the current transaction commits (at once
 * outside one). The notices of one transaction go in one statement before its COMMIT.
 */
export function broadcast(kind: string, fields: Record<string, string>): void {
  let payload = JSON.stringify({ ...fields, kind, node: NODE_ID });
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) payload = JSON.stringify({ kind: EVERYTHING, node: NODE_ID });
  if (beforeCommitEach(notifyAll, payload)) return;
  // Once per channel: two stores of one schema in this process are one database to tell.
  for (const set of pools.values()) {
    const [db] = set;
    if (db) notifyAll(db, [payload]).catch(() => undefined);
  }
}

export interface NoticeListenerOptions {
  /** The database's URL without `?schema=` (the channel names the schema). */
  readonly connectionString: string;
  readonly channel: string;
  /** Notices from this node are dropped (default NODE_ID, this process). */
  readonly nodeId?: string;
  onNotice(notice: NodeNotice): void;
  /**
   * The connection was lost and is back (or the first attempt failed and one succeeded): notices
   * sent meanwhile were missed.
   */
  onReconnect(): void;
  /** The connection failed or was lost (it is tried again). */
  onError?(e: Error): void;
}

const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5000;
/** A LISTEN connection that stays quiet is pinged this often, and dropped if it does not answer in PING_TIMEOUT_MS. */
const PING_MS = 15_000;
const PING_TIMEOUT_MS = 5000;

/**
 * One dedicated connection that LISTENs on the channel (a pool's connections come and go, and a
 * LISTEN lives on one session). If it drops, it is opened again, waiting 100 ms, then twice as long
 * each failure up to 5 s; once back, onReconnect says notices may have been missed.
 */
export class PgNoticeListener {
  private client?: pg.Client;
  private closed = false;
  private retry?: NodeJS.Timeout;
  private ping?: NodeJS.Timeout;
  private delay = FIRST_RETRY_MS;
  private attempts = 0;
  private readonly nodeId: string;

  private constructor(private readonly opts: NoticeListenerOptions) {
    this.nodeId = opts.nodeId ?? NODE_ID;
  }

  /** Listens; resolves after the first attempt (a failed one is retried in the background). */
  static async start(opts: NoticeListenerOptions): Promise<PgNoticeListener> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(opts.channel)) throw new Error(`'${opts.channel}' is not a notice channel`);
    const l = new PgNoticeListener(opts);
    await l.attempt();
    return l;
  }

  /** Whether the LISTEN connection is up now. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  private async attempt(): Promise<void> {
    this.retry = undefined;
    if (this.closed) return;
    this.attempts++;
    const c = new pg.Client({ connectionString: this.opts.connectionString, application_name: `warden-notices:${process.pid}`, keepAlive: true, connectionTimeoutMillis: 5000 });
    let dead = false;
    const lost = (e?: Error): void => {
      if (dead) return;
      dead = true;
      if (this.client === c) this.client = undefined;
      clearInterval(this.ping);
      c.removeAllListeners('notification');
      c.end().catch(() => undefined);
      if (this.closed) return;
      this.opts.onError?.(e ?? new Error('the notice connection ended'));
      this.retry = setTimeout(() => void this.attempt(), this.delay);
      this.retry.unref();
      this.delay = Math.min(this.delay * 2, LAST_RETRY_MS);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (m) => {
      if (m.channel === this.opts.channel && m.payload) this.received(m.payload);
    });
    try {
      await c.connect();
      // Raw SQL: LISTEN is PostgreSQL's own statement, outside the typed schema (the channel is checked in start).
      await c.query(`LISTEN ${this.opts.channel}`);
    } catch (e) {
      lost(e as Error);
      return;
    }
    if (dead) return;
    if (this.closed) {
      lost();
      return;
    }
    this.client = c;
    this.delay = FIRST_RETRY_MS;
    this.ping = setInterval(() => {
      const watchdog = setTimeout(() => {
        lost(new Error('the notice connection did not answer'));
        // end() waits for the server; a connection that stopped answering is cut here.
        (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      }, PING_TIMEOUT_MS);
      // Raw SQL: a ping on the dedicated connection, which the query builder does not hold.
      c.query('SELECT 1').then(
        () => clearTimeout(watchdog),
        (e) => {
          clearTimeout(watchdog);
          lost(e as Error);
        },
      );
    }, PING_MS);
    this.ping.unref();
    if (this.attempts > 1) this.opts.onReconnect();
  }

  private received(payload: string): void {
    let n: unknown;
    try {
      n = JSON.parse(payload);
    } catch {
      return;
    }
    if (typeof n !== 'object' || n === null || Array.isArray(n)) return;
    const fields = n as Record<string, unknown>;
    if (typeof fields.kind !== 'string' || typeof fields.node !== 'string' || fields.node === this.nodeId) return;
    if (!Object.values(fields).every((v) => typeof v === 'string')) return;
    try {
      this.opts.onNotice(fields as NodeNotice);
    } catch {
      // a listener's failure is its own
    }
  }

  /** Stops listening; no reconnection after this. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
