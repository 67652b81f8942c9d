// The notices between Warden nodes sharing one PostgreSQL database (src/store/pg-notices.ts and
// the registry glue in src/registry/notice.ts), on a real PostgreSQL: several listeners in this
// process stand for other nodes (each with a node id of its own; one with this process's id stands
// for this node). A notice is heard by the other nodes only, only once its transaction commits,
// never after a rollback, never on another schema's channel; a listener whose connection is cut
// comes back and says so.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { caCertificateStatusChanged, onCertificateStatus, certificateStatusChanged, type CertificateStatusChange } from '../../src/registry/certificate-events.js';
import { listenToOtherNodes } from '../../src/registry/notice.js';
import { onPoliciesChanged } from '../../src/registry/policy-events.js';
import { broadcast, channelOf, EVERYTHING, NODE_ID, type NodeNotice, type PgNoticeListener } from '../../src/store/pg-notices.js';
import { Store } from '../../src/store/store.js';
import { dropSchema, freshSchema, PG_BASE } from '../harness.js';

const SCOPE = { accountId: '000000000000', region: 'us-east-1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A listener on `store` as node `nodeId`, keeping what it hears and how often it came back. */
async function node(store: Store, nodeId?: string): Promise<{ heard: NodeNotice[]; reconnects: number; listener: PgNoticeListener }> {
  const out = { heard: [] as NodeNotice[], reconnects: 0, listener: undefined as unknown as PgNoticeListener };
  const l = await store.listenToOtherNodes({ nodeId, onNotice: (n) => out.heard.push(n), onReconnect: () => out.reconnects++ });
  assert.ok(l, 'PostgreSQL listens');
  assert.equal(l.listening, true);
  out.listener = l;
  return out;
}

/** Waits until `cond` holds (at most `ms`). */
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail('timed out waiting');
    await sleep(5);
  }
}

/** Ends the server sessions LISTENing on `channel` for this process (as a restarted database or a network cut would). */
async function cutListeners(channel: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_BASE });
  await c.connect();
  try {
    const r = await c.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query = 'LISTEN ' || $2",
      [`warden-notices:${process.pid}`, channel],
    );
    return r.rowCount ?? 0;
  } finally {
    await c.end();
  }
}

describe('notices between nodes (PostgreSQL LISTEN/NOTIFY)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-node-notices-'));
  const schemaA = freshSchema();
  const schemaB = freshSchema();
  let a: Store;
  let a2: Store;
  let b: Store;
  const listeners: PgNoticeListener[] = [];
  const track = async (store: Store, nodeId?: string) => {
    const n = await node(store, nodeId);
    listeners.push(n.listener);
    return n;
  };

  before(async () => {
    a = await Store.open({ dataDir, databaseUrl: `${PG_BASE}?schema=${schemaA}` });
    a2 = await Store.open({ dataDir, databaseUrl: `${PG_BASE}?schema=${schemaA}` });
    b = await Store.open({ dataDir, databaseUrl: `${PG_BASE}?schema=${schemaB}` });
  });
  after(async () => {
    for (const l of listeners) await l.close();
    await a?.close();
    await a2?.close();
    await b?.close();
    await dropSchema(schemaA);
    await dropSchema(schemaB);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the channel is one per schema, a plain identifier within 63 bytes', () => {
    assert.equal(channelOf('wt_1_abc'), 'warden_notices_wt_1_abc');
    assert.notEqual(channelOf('one'), channelOf('two'));
    const long = channelOf('x'.repeat(60));
    assert.ok(long.length <= 63 && /^[a-z_][a-z0-9_]*$/.test(long), long);
    assert.notEqual(channelOf('Odd-Name'), channelOf('odd_name'));
    assert.match(channelOf('Odd-Name'), /^[a-z_][a-z0-9_]*$/);
  });

  test('two other nodes hear a committed notice, this node does not, another schema does not', async () => {
    const x = await track(a, 'node-x');
    const y = await track(a2, 'node-y');
    const self = await track(a);
    const elsewhere = await track(b, 'node-z');
    await a.transaction(async () => broadcast('test', { n: '1' }));
    await until(() => x.heard.length === 1 && y.heard.length === 1);
    assert.deepEqual(x.heard[0], { kind: 'test', node: NODE_ID, n: '1' });
    assert.deepEqual(y.heard[0], x.heard[0]);
    // The schema B store sends on its own channel: only its listener hears it.
    await b.transaction(async () => broadcast('test', { n: '2' }));
    await until(() => elsewhere.heard.length === 1);
    await sleep(200);
    assert.deepEqual(self.heard, [], 'a node ignores its own notices');
    assert.deepEqual(elsewhere.heard.map((n) => n.n), ['2']);
    assert.deepEqual(x.heard.map((n) => n.n), ['1'], 'schema A hears nothing of schema B');
  });

  test('delivered at commit, not before; a rollback sends nothing; outside a transaction at once', async (t) => {
    const x = await track(a, 'node-x');
    let committed = 0;
    await a.transaction(async () => {
      broadcast('test', { n: 'late' });
      await sleep(300);
      assert.deepEqual(x.heard, [], 'nothing is heard before the commit');
      committed = Date.now();
    });
    await until(() => x.heard.length === 1);
    const latency = Date.now() - committed;
    assert.ok(latency < 500, `heard ${latency} ms after the commit`);
    t.diagnostic(`heard ${latency} ms after the commit`);
    await assert.rejects(
      a.transaction(async () => {
        broadcast('test', { n: 'rolled back' });
        throw new Error('no');
      }),
      /no/,
    );
    broadcast('test', { n: 'outside' });
    await until(() => x.heard.length === 2);
    await sleep(200);
    assert.deepEqual(x.heard.map((n) => n.n), ['late', 'outside']);
  });

  test('the notices of one transaction (a mitigation batch\'s hundred) go in one statement, all heard, in order', async () => {
    const x = await track(a, 'node-x');
    const sent = Array.from({ length: 120 }, (_, i) => String(i));
    await a.transaction(async (tx) => {
      for (const n of sent.slice(0, 60)) broadcast('test', { n });
      await tx.db.get('SELECT 1 AS one'); // the transaction goes on between them
      for (const n of sent.slice(60)) broadcast('test', { n });
    });
    await until(() => x.heard.length === sent.length);
    assert.deepEqual(x.heard.map((n) => n.n), sent);
  });

  test('a payload past PostgreSQL\'s 8000 bytes goes as "everything"', async () => {
    const x = await track(a, 'node-x');
    await a.transaction(async () => broadcast('test', { n: 'x'.repeat(9000) }));
    await until(() => x.heard.length === 1);
    assert.deepEqual(x.heard[0], { kind: EVERYTHING, node: NODE_ID });
  });

  test('a listener whose connection is cut comes back, says so, and hears again', async () => {
    const x = await track(a, 'node-cut');
    const cut = await cutListeners(channelOf(schemaA));
    assert.ok(cut >= 1, 'a listening session was ended');
    await until(() => x.reconnects === 1, 5000);
    assert.equal(x.listener.listening, true);
    await a.transaction(async () => broadcast('test', { n: 'after' }));
    await until(() => x.heard.some((n) => n.n === 'after'));
  });

  test('registry notices: another node\'s listeners are told, own ones once, malformed ones dropped', async () => {
    // This process plays two nodes: its in-process listener hears the change once (in-process),
    // and once more through the glue started as node "other" (as the other node's broker would).
    const certificates: CertificateStatusChange[] = [];
    const policies: string[] = [];
    const stopCert = onCertificateStatus((c) => certificates.push(c));
    const stopPolicies = onPoliciesChanged((c) => policies.push(`${c.accountId}/${c.region}`));
    const warnings: string[] = [];
    const log = { warn: (_o: object, m: string) => warnings.push(m), info: () => undefined };
    const stop = await listenToOtherNodes(a2, log, 'other');
    assert.ok(stop);
    try {
      await a.transaction(async () => certificateStatusChanged(SCOPE, 'c'.repeat(64), 'REVOKED'));
      await until(() => certificates.length === 2);
      assert.deepEqual(certificates[0], certificates[1]);
      assert.deepEqual(certificates[1], { ...SCOPE, certificateId: 'c'.repeat(64), status: 'REVOKED' });
      // A CA's change is a kind of its own and comes marked as a CA's.
      await a.transaction(async () => caCertificateStatusChanged(SCOPE, 'a'.repeat(64), 'INACTIVE'));
      await until(() => certificates.length === 4);
      assert.deepEqual(certificates[2], certificates[3]);
      assert.deepEqual(certificates[3], { ...SCOPE, certificateId: 'a'.repeat(64), status: 'INACTIVE', ca: true });
      await a.transaction(async () => broadcast('certificate-status', { accountId: SCOPE.accountId }));
      await until(() => warnings.length === 1);
      assert.match(warnings[0], /not understood/);
      assert.equal(certificates.length, 4);
      // "everything" (a reconnection, or a notice too big to send): re-read from the database. This
      // schema holds no certificate, so no scope and no certificate is told.
      await a.transaction(async () => broadcast(EVERYTHING, {}));
      await sleep(300);
      assert.equal(certificates.length, 4);
      assert.deepEqual(policies, []);
    } finally {
      stopCert();
      stopPolicies();
      await stop();
    }
  });

  test('SQLite: there is no other node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-node-notices-sqlite-'));
    const s = await Store.open({ dataDir: dir });
    try {
      assert.equal(await s.listenToOtherNodes({ onNotice: () => undefined, onReconnect: () => undefined }), undefined);
      await s.transaction(async () => broadcast('test', { n: 'sqlite' }));
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
