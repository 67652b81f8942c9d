import { afterCommit } from '../store/after-commit.js';
import { broadcast, EVERYTHING, type NodeNotice } from '../store/pg-notices.js';
import type { Repos } from '../store/repos.js';
import type { Store } from '../store/store.js';

/**
 * A notice of a registry change (certificate-events.ts, policy-events.ts). Listeners (the MQTT
 * broker of this process) are told once the caller's Store.transaction has committed (at once
 * outside a transaction; never when it rolls back), so what they re-read is the change itself. A
 * listener's failure is its own.
 *
 * Other nodes sharing the PostgreSQL database are told too: `send` also broadcasts the change
 * (src/store/pg-notices.ts: a NOTIFY that PostgreSQL delivers when the transaction commits), and a
 * node that runs `listenToOtherNodes` hands what it hears to the same listeners, as if the change
 * had been made there. A node drops its own notices (its listeners were told in-process). On
 * SQLite there is one node and nothing crosses.
 *
 * Notices missed while a node's LISTEN connection was down cannot be read back, so when it is
 * back the node assumes everything may have changed: each kind of notice tells its listeners
 * `everything` it stands for, read from the database (every certificate not ACTIVE; a policy
 * change in every account and region that holds a certificate). Conservative and coarse: sessions
 * re-read their policies, sessions of certificates no longer ACTIVE are closed. A certificate
 * deleted meanwhile is not among them, but its sessions, re-reading their policies, find none (a
 * certificate is deleted only once its policies are detached) and are allowed nothing.
 */
export class Notice<T extends object> {
  private readonly listeners = new Set<(change: T) => void>();

  constructor(private readonly spec: NoticeKind<T>) {
    if (spec.kind === EVERYTHING || kinds.has(spec.kind)) throw new Error(`notice kind ${spec.kind} is taken`);
    kinds.set(spec.kind, this as unknown as Notice<object>);
  }

  /** Adds a listener; answers the function that removes it. */
  listen(listener: (change: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(change: T): void {
    const fields: Record<string, string> = {};
    for (const f of this.spec.fields) fields[f] = String(change[f]);
    broadcast(this.spec.kind, fields);
    if (this.listeners.size === 0) return;
    afterCommit(() => this.tell(change));
  }

  /** A notice heard from another node: told at once (its transaction has committed); false when malformed. */
  receive(notice: NodeNotice): boolean {
    const change: Record<string, string> = {};
    for (const f of this.spec.fields) {
      const v = notice[f];
      if (typeof v !== 'string' || v === '') return false;
      change[f] = v;
    }
    this.tell(change as unknown as T);
    return true;
  }

  /** Tells the listeners every change this kind stands for (notices may have been missed). */
  async tellEverything(repos: Repos): Promise<void> {
    if (this.listeners.size === 0) return;
    for (const change of await this.spec.everything(repos)) this.tell(change);
  }

  private tell(change: T): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}

/** What a kind of notice is, for the notices between nodes. */
export interface NoticeKind<T> {
  /** Its name in the notices between nodes. */
  readonly kind: string;
  /** The fields that travel (as strings; keep them short: a notice is at most 8000 bytes). */
  readonly fields: readonly (keyof T & string)[];
  /** The changes that stand for "anything may have changed", read from the database. */
  everything(repos: Repos): Promise<T[]>;
}

const kinds = new Map<string, Notice<object>>();

export interface NoticeLog {
  warn(o: object, msg: string): void;
  info(o: object, msg: string): void;
}

/**
 * Listens to the registry notices of the other nodes sharing the store's PostgreSQL database and
 * tells them to this process's listeners; answers the function that stops it (undefined on
 * SQLite). After a reconnection (and on a notice of kind "everything") every kind tells
 * `everything`; a read that fails is tried again, 1 s later, then up to 5 s apart, while listening.
 */
export async function listenToOtherNodes(store: Store, log: NoticeLog, nodeId?: string): Promise<(() => Promise<void>) | undefined> {
  let stopped = false;
  let again: NodeJS.Timeout | undefined;
  let running = false;
  let rerun = false;
  const everything = async (delay = 1000): Promise<void> => {
    if (running) {
      rerun = true;
      return;
    }
    running = true;
    try {
      do {
        rerun = false;
        for (const n of kinds.values()) await n.tellEverything(store.repos);
      } while (rerun && !stopped);
    } catch (e) {
      if (stopped) return;
      log.warn({ err: (e as Error).message }, 'registry notices: could not re-read after a reconnection; trying again');
      clearTimeout(again);
      again = setTimeout(() => void everything(Math.min(delay * 2, 5000)), delay);
      again.unref();
    } finally {
      running = false;
    }
  };
  const listener = await store.listenToOtherNodes({
    ...(nodeId ? { nodeId } : {}),
    onNotice: (n) => {
      if (n.kind === EVERYTHING) void everything();
      else if (!kinds.get(n.kind)?.receive(n)) log.warn({ kind: n.kind }, 'registry notices: a notice from another node was not understood');
    },
    onReconnect: () => {
      log.info({}, 'registry notices: listening again; re-reading certificates and policies of live sessions');
      void everything();
    },
    onError: (e) => log.warn({ err: e.message }, 'registry notices: the connection to PostgreSQL was lost; reconnecting'),
  });
  if (!listener) return undefined;
  if (!listener.listening) log.warn({}, 'registry notices: not listening yet (PostgreSQL refused); retrying');
  return async () => {
    stopped = true;
    clearTimeout(again);
    await listener.close();
  };
}
