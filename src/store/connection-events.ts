import { createHash } from 'node:crypto';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { ConnectionEventsTable } from './schema.generated.js';
import { all, first, inChunks, insertRows, qb, run, selectIn } from './sql.js';

/**
 * MQTT connections Warden has been told about (POST /_warden/connection-events; later a broker
 * feed): one row per connection, from connect to disconnect. Read by the connection audit checks
 * with set-based SQL over a time window (indexes of migration 009).
 */
export interface ConnectionEvent {
  clientId: string;
  certificateId?: string;
  principal?: string;
  sourceIp?: string;
  /** Epoch milliseconds. */
  connectedAt: number;
  /** Epoch milliseconds; absent while connected. */
  disconnectedAt?: number;
  disconnectReason?: string;
}

/** One connection row as the checks read it. */
export interface ConnectionRecord {
  eventId: string;
  clientId: string;
  certificateId: string | null;
  principal: string | null;
  connectedAt: number;
  disconnectedAt: number | null;
  disconnectReason: string | null;
}

const READ = ['event_id', 'client_id', 'certificate_id', 'principal', 'connected_at', 'disconnected_at', 'disconnect_reason'] as const;
type Row = Pick<ConnectionEventsTable, (typeof READ)[number]>;

const fromRow = (r: Row): ConnectionRecord => ({
  eventId: r.event_id,
  clientId: r.client_id,
  certificateId: r.certificate_id,
  principal: r.principal,
  connectedAt: Number(r.connected_at),
  disconnectedAt: r.disconnected_at === null ? null : Number(r.disconnected_at),
  disconnectReason: r.disconnect_reason,
});

/** "Still connected" in the SQL: later than any window end. */
const OPEN = Number.MAX_SAFE_INTEGER;

/**
 * A connection's id: the same client, principal and connect time is the same connection, so a
 * connect event and its later disconnect event (or a replay) land on one row.
 */
export function connectionId(e: Pick<ConnectionEvent, 'clientId' | 'certificateId' | 'principal' | 'connectedAt'>): string {
  return createHash('sha256').update(JSON.stringify([e.clientId, e.certificateId ?? null, e.principal ?? null, e.connectedAt])).digest('hex').slice(0, 32);
}

/** Rows of one purge statement; each is its own short transaction, so the API never waits long. */
const PURGE_CHUNK = 2000;

export class ConnectionEventRepo {
  constructor(private readonly db: Driver) {}

  /** Connections of a scope that overlap [from, to) (`to` included when `closedEnd`), for the checks' window queries. */
  private inScopeWindow(scope: Scope, from: number, to: number, closedEnd: boolean) {
    return qb(this.db)
      .selectFrom('connection_events')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('connected_at', '<', to)
      .where((eb) => eb(eb.fn.coalesce('disconnected_at', eb.val(OPEN)), closedEnd ? '>=' : '>', from));
  }

  /**
   * Records connections; a connection already recorded keeps what it had and gains the
   * disconnect (time, reason) and source IP it lacked. Answers how many rows were written.
   */
  async record(scope: Scope, events: readonly ConnectionEvent[]): Promise<number> {
    // Merge duplicates first: one INSERT may not touch the same row twice on PostgreSQL.
    const byId = new Map<string, ConnectionEvent>();
    for (const e of events) {
      const id = connectionId(e);
      const prev = byId.get(id);
      byId.set(id, prev ? { ...prev, ...Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) } : e);
    }
    const rows = [...byId.entries()].map(([id, e]) => ({
      account_id: scope.accountId,
      region: scope.region,
      event_id: id,
      client_id: e.clientId,
      certificate_id: e.certificateId ?? null,
      principal: e.principal ?? null,
      source_ip: e.sourceIp ?? null,
      connected_at: e.connectedAt,
      disconnected_at: e.disconnectedAt ?? null,
      disconnect_reason: e.disconnectReason ?? null,
    }));
    await insertRows(this.db, 'connection_events', rows, (q) =>
      q.onConflict((oc) =>
        oc.columns(['account_id', 'region', 'event_id']).doUpdateSet((eb) => ({
          disconnected_at: eb.fn.coalesce('excluded.disconnected_at', 'connection_events.disconnected_at'),
          disconnect_reason: eb.fn.coalesce('excluded.disconnect_reason', 'connection_events.disconnect_reason'),
          source_ip: eb.fn.coalesce('excluded.source_ip', 'connection_events.source_ip'),
        })),
      ),
    );
    return rows.length;
  }

  /**
   * Connections (with a certificate) that overlapped, inside [from, to), a connection of the
   * same certificate from another client id: one group per certificate (by certificate id), each
   * most recent first. Two set-based steps: a grouped pass over the window keeps the certificates used by two client
   * ids, then their connections are read in batches and paired in one sweep each. (A self-join
   * does this in one statement, but without fresh statistics PostgreSQL plans it as a nested
   * loop over the whole table, quadratic in the number of connections.)
   */
  async sharedCertificateConnections(scope: Scope, from: number, to: number): Promise<ConnectionRecord[][]> {
    const query = this.inScopeWindow(scope, from, to, false)
      .select('certificate_id')
      .where('certificate_id', 'is not', null)
      .groupBy('certificate_id')
      .having((eb) => eb.fn.count('client_id').distinct(), '>', 1)
      .orderBy('certificate_id');
    const candidates = await all(this.db, query);
    const groups = await this.inWindow(scope, 'certificate_id', candidates.map((c) => c.certificate_id!), from, to, false);
    return groups.map((group) => concurrentAcrossClients(group, from, to)).filter((group) => group.length > 0);
  }

  /** How many certificates had a connection overlapping [from, to). */
  async certificatesConnected(scope: Scope, from: number, to: number): Promise<number> {
    const query = this.inScopeWindow(scope, from, to, false)
      .select((eb) => eb.fn.count<number | string>('certificate_id').distinct().as('n'))
      .where('certificate_id', 'is not', null);
    return Number((await first(this.db, query))?.n ?? 0);
  }

  /**
   * Connections of a client id that knocked, or were knocked, off another connection of the
   * same client id inside [from, to): a connection started while another was open under a
   * different principal, or a disconnect reported as DUPLICATE_CLIENTID. One group per client id
   * (by client id), each most recent first. As above: a grouped pass keeps the client ids with two
   * principals or a DUPLICATE_CLIENTID disconnect in the window, then one sweep per client id.
   */
  async conflictingClientConnections(scope: Scope, from: number, to: number): Promise<ConnectionRecord[][]> {
    const query = this.inScopeWindow(scope, from, to, true)
      .select('client_id')
      .groupBy('client_id')
      .having((eb) =>
        eb.or([
          eb(eb.fn.count(eb.fn.coalesce('principal', eb.val(''))).distinct(), '>', 1),
          eb(eb.fn.sum(eb.case().when('disconnect_reason', '=', 'DUPLICATE_CLIENTID').then(1).else(0).end()), '>', 0),
        ]),
      )
      .orderBy('client_id');
    const candidates = await all(this.db, query);
    const groups = await this.inWindow(scope, 'client_id', candidates.map((c) => c.client_id), from, to, true);
    return groups.map((group) => knockedOff(group, from, to)).filter((group) => group.length > 0);
  }

  /**
   * The connections of the given certificates (or client ids) that overlap [from, to) (`to`
   * included when `closedEnd`), grouped by that column, each group by connect time. Read in
   * chunks of padded IN lists (one SQL text), which both backends answer from the migration-009
   * indexes; the keys are distinct, so no row comes twice.
   */
  private async inWindow(scope: Scope, column: 'certificate_id' | 'client_id', keys: string[], from: number, to: number, closedEnd: boolean): Promise<ConnectionRecord[][]> {
    const rows = await selectIn(this.db, keys, (chunk) =>
      this.inScopeWindow(scope, from, to, closedEnd).select(READ).where(column, 'in', chunk).orderBy(column).orderBy('connected_at').orderBy('event_id'),
    );
    const groups: ConnectionRecord[][] = [];
    let current: ConnectionRecord[] = [];
    for (const r of rows.map(fromRow)) {
      const key = column === 'certificate_id' ? r.certificateId : r.clientId;
      if (current.length && (column === 'certificate_id' ? current[0].certificateId : current[0].clientId) !== key) {
        groups.push(current);
        current = [];
      }
      current.push(r);
    }
    if (current.length) groups.push(current);
    return groups;
  }

  /** How many client ids had a connection overlapping [from, to). */
  async clientsConnected(scope: Scope, from: number, to: number): Promise<number> {
    const query = this.inScopeWindow(scope, from, to, true).select((eb) => eb.fn.count<number | string>('client_id').distinct().as('n'));
    return Number((await first(this.db, query))?.n ?? 0);
  }

  /**
   * Deletes, over every account and region, the connections that ended before `cutoff` (open ones
   * stay: they may still be shared), a chunk at a time: keys first, then deletes by key in each
   * scope. Answers how many rows went.
   */
  async purge(cutoff: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const ended = qb(this.db)
        .selectFrom('connection_events')
        .select(['account_id', 'region', 'event_id'])
        .where('connected_at', '<', cutoff)
        .where('disconnected_at', 'is not', null)
        .where('disconnected_at', '<', cutoff)
        .limit(PURGE_CHUNK);
      const rows = await all(this.db, ended);
      const byScope = new Map<string, { accountId: string; region: string; ids: string[] }>();
      for (const r of rows) {
        const k = `${r.account_id}/${r.region}`;
        if (!byScope.has(k)) byScope.set(k, { accountId: r.account_id, region: r.region, ids: [] });
        byScope.get(k)!.ids.push(r.event_id);
      }
      for (const { accountId, region, ids } of byScope.values()) {
        await inChunks(ids, async (chunk) => {
          deleted += await run(this.db, qb(this.db).deleteFrom('connection_events').where('account_id', '=', accountId).where('region', '=', region).where('event_id', 'in', chunk));
        });
      }
      if (rows.length < PURGE_CHUNK) return deleted;
    }
  }
}

/** End of a connection for comparisons: still open is later than any window. */
const end = (c: ConnectionRecord): number => c.disconnectedAt ?? OPEN;

/**
 * Of one certificate's connections (by connect time), those that were open at the same time as
 * a connection from another client id, the shared time falling inside [from, to). Most recent first.
 */
export function concurrentAcrossClients(rows: readonly ConnectionRecord[], from: number, to: number): ConnectionRecord[] {
  const hit = new Set<ConnectionRecord>();
  const open: ConnectionRecord[] = [];
  for (const c of rows) {
    if (end(c) <= c.connectedAt) continue; // a zero-length connection overlaps nothing
    for (let i = open.length - 1; i >= 0; i--) if (end(open[i]) <= c.connectedAt) open.splice(i, 1);
    for (const o of open) {
      // o started first: the shared time is [c.connectedAt, min(ends)).
      if (o.clientId !== c.clientId && Math.max(c.connectedAt, from) < Math.min(end(o), end(c), to)) {
        hit.add(o);
        hit.add(c);
      }
    }
    open.push(c);
  }
  return mostRecentFirst(rows.filter((r) => hit.has(r)));
}

/**
 * Of one client id's connections (by connect time), those involved in a knock-off inside
 * [from, to): x connected while y was open (y's disconnect at x's connect counts) under another
 * principal, or y says DUPLICATE_CLIENTID; and any DUPLICATE_CLIENTID disconnect in the window.
 * Most recent first.
 */
export function knockedOff(rows: readonly ConnectionRecord[], from: number, to: number): ConnectionRecord[] {
  const hit = new Set<ConnectionRecord>();
  const open: ConnectionRecord[] = [];
  for (const x of rows) {
    const dup = x.disconnectReason === 'DUPLICATE_CLIENTID';
    if (dup && x.disconnectedAt !== null && x.disconnectedAt >= from && x.disconnectedAt < to) hit.add(x);
    for (let i = open.length - 1; i >= 0; i--) if (end(open[i]) < x.connectedAt) open.splice(i, 1);
    if (x.connectedAt >= from && x.connectedAt < to) {
      for (const y of open) {
        // Connected the same millisecond: either may be the one knocked off.
        const ySaysSo = y.disconnectReason === 'DUPLICATE_CLIENTID' || (dup && y.connectedAt === x.connectedAt);
        if ((y.principal ?? '') !== (x.principal ?? '') || ySaysSo) {
          hit.add(x);
          hit.add(y);
        }
      }
    }
    open.push(x);
  }
  return mostRecentFirst(rows.filter((r) => hit.has(r)));
}

const mostRecentFirst = (rows: ConnectionRecord[]): ConnectionRecord[] => rows.reverse();
