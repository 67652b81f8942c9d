import { createHash } from 'node:crypto';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { byScope, inChunks, insertRows, selectIn } from './rows.js';

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
export interface ConnectionRow {
  eventId: string;
  clientId: string;
  certificateId: string | null;
  principal: string | null;
  connectedAt: number;
  disconnectedAt: number | null;
  disconnectReason: string | null;
}

interface Row {
  event_id: string;
  client_id: string;
  certificate_id: string | null;
  principal: string | null;
  connected_at: number | string;
  disconnected_at: number | string | null;
  disconnect_reason: string | null;
}

const fromRow = (r: Row): ConnectionRow => ({
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
const COLUMNS = ['account_id', 'region', 'event_id', 'client_id', 'certificate_id', 'principal', 'source_ip', 'connected_at', 'disconnected_at', 'disconnect_reason'];

export class ConnectionEventRepo {
  constructor(private readonly db: Driver) {}

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
    const all = [...byId.entries()];
    await insertRows(
      this.db,
      'connection_events',
      COLUMNS,
      all.map(([id, e]) => [scope.accountId, scope.region, id, e.clientId, e.certificateId ?? null, e.principal ?? null, e.sourceIp ?? null, e.connectedAt, e.disconnectedAt ?? null, e.disconnectReason ?? null]),
      `ON CONFLICT (account_id, region, event_id) DO UPDATE SET
         disconnected_at = COALESCE(excluded.disconnected_at, connection_events.disconnected_at),
         disconnect_reason = COALESCE(excluded.disconnect_reason, connection_events.disconnect_reason),
         source_ip = COALESCE(excluded.source_ip, connection_events.source_ip)`,
    );
    return all.length;
  }

  /**
   * Connections (with a certificate) that overlapped, inside [from, to), a connection of the
   * same certificate from another client id: one group per certificate (by certificate id), each
   * most recent first. Two set-based steps: a grouped pass over the window keeps the certificates used by two client
   * ids, then their connections are read in batches and paired in one sweep each. (A self-join
   * does this in one statement, but without fresh statistics PostgreSQL plans it as a nested
   * loop over the whole table, quadratic in the number of connections.)
   */
  async sharedCertificateConnections(scope: Scope, from: number, to: number): Promise<ConnectionRow[][]> {
    const candidates = await this.db.all<{ certificate_id: string }>(
      `SELECT certificate_id FROM connection_events
       WHERE account_id = ? AND region = ? AND certificate_id IS NOT NULL AND connected_at < ? AND COALESCE(disconnected_at, ?) > ?
       GROUP BY certificate_id HAVING COUNT(DISTINCT client_id) > 1 ORDER BY certificate_id`,
      [scope.accountId, scope.region, to, OPEN, from],
    );
    const groups = await this.inWindow(scope, 'certificate_id', candidates.map((c) => c.certificate_id), from, to, false);
    return groups.map((group) => concurrentAcrossClients(group, from, to)).filter((group) => group.length > 0);
  }

  /** How many certificates had a connection overlapping [from, to). */
  async certificatesConnected(scope: Scope, from: number, to: number): Promise<number> {
    const row = await this.db.get<{ n: number | string }>(
      `SELECT COUNT(DISTINCT certificate_id) AS n FROM connection_events
       WHERE account_id = ? AND region = ? AND certificate_id IS NOT NULL AND connected_at < ? AND COALESCE(disconnected_at, ?) > ?`,
      [scope.accountId, scope.region, to, OPEN, from],
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Connections of a client id that knocked, or were knocked, off another connection of the
   * same client id inside [from, to): a connection started while another was open under a
   * different principal, or a disconnect reported as DUPLICATE_CLIENTID. One group per client id
   * (by client id), each most recent first. As above: a grouped pass keeps the client ids with two
   * principals or a DUPLICATE_CLIENTID disconnect in the window, then one sweep per client id.
   */
  async conflictingClientConnections(scope: Scope, from: number, to: number): Promise<ConnectionRow[][]> {
    const candidates = await this.db.all<{ client_id: string }>(
      `SELECT client_id FROM connection_events
       WHERE account_id = ? AND region = ? AND connected_at < ? AND COALESCE(disconnected_at, ?) >= ?
       GROUP BY client_id
       HAVING COUNT(DISTINCT COALESCE(principal, '')) > 1 OR SUM(CASE WHEN disconnect_reason = 'DUPLICATE_CLIENTID' THEN 1 ELSE 0 END) > 0
       ORDER BY client_id`,
      [scope.accountId, scope.region, to, OPEN, from],
    );
    const groups = await this.inWindow(scope, 'client_id', candidates.map((c) => c.client_id), from, to, true);
    return groups.map((group) => knockedOff(group, from, to)).filter((group) => group.length > 0);
  }

  /**
   * The connections of the given certificates (or client ids) that overlap [from, to) (`to`
   * included when `closedEnd`), grouped by that column, each group by connect time. Read in
   * chunks of padded IN lists (one SQL text), which both backends answer from the migration-009
   * indexes; the keys are distinct, so no row comes twice.
   */
  private async inWindow(scope: Scope, column: 'certificate_id' | 'client_id', keys: string[], from: number, to: number, closedEnd: boolean): Promise<ConnectionRow[][]> {
    const rows = await selectIn<Row>(
      this.db,
      (list) => `SELECT event_id, client_id, certificate_id, principal, connected_at, disconnected_at, disconnect_reason FROM connection_events
         WHERE account_id = ? AND region = ? AND connected_at < ? AND COALESCE(disconnected_at, ?) ${closedEnd ? '>=' : '>'} ? AND ${column} IN (${list})
         ORDER BY ${column}, connected_at, event_id`,
      [scope.accountId, scope.region, to, OPEN, from],
      keys,
    );
    const groups: ConnectionRow[][] = [];
    let current: ConnectionRow[] = [];
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
    const row = await this.db.get<{ n: number | string }>(
      `SELECT COUNT(DISTINCT client_id) AS n FROM connection_events
       WHERE account_id = ? AND region = ? AND connected_at < ? AND COALESCE(disconnected_at, ?) >= ?`,
      [scope.accountId, scope.region, to, OPEN, from],
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Deletes, over every account and region, the connections that ended before `cutoff` (open ones
   * stay: they may still be shared), a chunk at a time: keys first, then deletes by key in each
   * scope. Answers how many rows went.
   */
  async purge(cutoff: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const rows = await this.db.all<{ account_id: string; region: string; event_id: string }>(
        `SELECT account_id, region, event_id FROM connection_events WHERE connected_at < ? AND disconnected_at IS NOT NULL AND disconnected_at < ? LIMIT ${PURGE_CHUNK}`,
        [cutoff, cutoff],
      );
      for (const { scope, rows: some } of byScope(rows).values()) {
        await inChunks(
          some.map((r) => r.event_id),
          async (list, chunk) => void (deleted += await this.db.run(`DELETE FROM connection_events WHERE account_id = ? AND region = ? AND event_id IN (${list})`, [...scope, ...chunk])),
        );
      }
      if (rows.length < PURGE_CHUNK) return deleted;
    }
  }
}

/** End of a connection for comparisons: still open is later than any window. */
const end = (c: ConnectionRow): number => c.disconnectedAt ?? OPEN;

/**
 * Of one certificate's connections (by connect time), those that were open at the same time as
 * a connection from another client id, the shared time falling inside [from, to). Most recent first.
 */
export function concurrentAcrossClients(rows: readonly ConnectionRow[], from: number, to: number): ConnectionRow[] {
  const hit = new Set<ConnectionRow>();
  const open: ConnectionRow[] = [];
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
export function knockedOff(rows: readonly ConnectionRow[], from: number, to: number): ConnectionRow[] {
  const hit = new Set<ConnectionRow>();
  const open: ConnectionRow[] = [];
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

const mostRecentFirst = (rows: ConnectionRow[]): ConnectionRow[] => rows.reverse();
