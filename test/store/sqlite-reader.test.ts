// The SQLite driver's reader and turns: a read that comes while a transaction is open runs on the
// read-only connection and sees the last committed state without waiting; a long transaction lets
// the event loop turn between its statements; one process owns a data folder.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DatabaseOpenError } from '../../src/store/driver.js';
import { CHECKPOINT_MS, SqliteDriver, TURN_MS } from '../../src/store/sqlite.js';

/** Runs `fn` on a fresh folder, removed afterwards. */
async function inFolder(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite reader and turns', () => {
  let dir: string;
  let db: SqliteDriver;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-reader-'));
    db = SqliteDriver.open(dir);
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    await db.run('INSERT INTO t (id, v) VALUES (1, ?)', ['committed']);
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a read during an open transaction sees the committed state at once, and the new state after commit', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const tx = db.transaction(async (t) => {
      await t.run('UPDATE t SET v = ? WHERE id = 1', ['uncommitted']);
      await t.run('INSERT INTO t (id, v) VALUES (2, ?)', ['new']);
      wrote();
      await held;
      assert.equal((await t.get<{ v: string }>('SELECT v FROM t WHERE id = 1'))!.v, 'uncommitted'); // the transaction sees its own writes
    });
    await written;
    // The transaction is open and waiting: these reads must neither wait for it nor see its writes.
    assert.deepEqual(await db.all('SELECT id, v FROM t ORDER BY id'), [{ id: 1, v: 'committed' }]);
    assert.equal(await db.get('SELECT v FROM t WHERE id = 2'), undefined);
    release();
    await tx;
    assert.deepEqual(await db.all('SELECT id, v FROM t ORDER BY id'), [{ id: 1, v: 'uncommitted' }, { id: 2, v: 'new' }]);
  });

  test('a statement that writes, sent through get during a transaction, waits for it and runs on the writer', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const tx = db.transaction(async (t) => {
      await t.run('INSERT INTO t (id, v) VALUES (10, ?)', ['tx']);
      await held;
      order.push('commit');
    });
    await new Promise((r) => setImmediate(r));
    const returning = db.get<{ id: number }>('INSERT INTO t (id, v) VALUES (11, ?) RETURNING id', ['outside']).then((r) => {
      order.push('insert');
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(order, [], 'the writing statement must wait for the open transaction');
    release();
    assert.deepEqual(await returning, { id: 11 });
    await tx;
    assert.deepEqual(order, ['commit', 'insert']);
    assert.equal(((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t WHERE id IN (10, 11)'))!).n, 2);
  });

  test('a read of a table the open transaction creates waits for it, then sees the table', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let created!: () => void;
    const ready = new Promise<void>((r) => (created = r));
    const tx = db.transaction(async (t) => {
      await t.exec('CREATE TABLE fresh (x INTEGER)');
      await t.run('INSERT INTO fresh (x) VALUES (7)');
      created();
      await held;
    });
    await ready;
    const read = db.all('SELECT x FROM fresh'); // the reader has no such table yet
    await new Promise((r) => setTimeout(r, 20));
    release();
    assert.deepEqual(await read, [{ x: 7 }]);
    await tx;
  });

  test('a long transaction lets the event loop turn between statements, and commits whole', async () => {
    const fired: number[] = [];
    let statements = 0;
    const timer = setInterval(() => fired.push(statements), 1);
    const reads: number[] = [];
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        await new Promise((r) => setImmediate(r));
        reads.push(((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t WHERE id >= 1000'))!).n);
      }
    })();
    const started = performance.now();
    await db.transaction(async (t) => {
      while (performance.now() - started < 10 * TURN_MS) {
        await t.run('INSERT INTO t (id, v) VALUES (?, ?)', [1000 + statements, 'x']);
        statements++;
      }
    });
    clearInterval(timer);
    stop = true;
    await reader;
    const during = fired.filter((n) => n > 0 && n < statements);
    assert.ok(during.length >= 3, `the timer fired ${during.length} times during ${statements} statements`);
    // Each read saw the transaction's rows all or none; at least three ran while it was open.
    assert.ok(reads.every((n) => n === 0 || n === statements), `reads saw ${[...new Set(reads)].join(', ')} of ${statements} rows`);
    assert.ok(reads.filter((n) => n === 0).length >= 3, `${reads.length} reads ran`);
    assert.equal(((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t WHERE id >= 1000'))!).n, statements);
  });

  test("the checkpointer thread copies committed pages into the database file; the writer's commits only append to the WAL", async () => {
    await inFolder('warden-checkpoint-', async (other) => {
      const w = SqliteDriver.open(other);
      await w.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT NOT NULL)');
      await new Promise((r) => setTimeout(r, 3 * CHECKPOINT_MS));
      const file = join(other, 'warden.sqlite');
      const before = statSync(file).size;
      // 8 MiB in one transaction: far more than SQLite's own checkpoint threshold (1,000 pages), which the writer no longer uses.
      await w.transaction(async (t) => {
        for (let i = 0; i < 2048; i++) await t.run('INSERT INTO big (id, pad) VALUES (?, ?)', [i, 'x'.repeat(4000)]);
    });
    assert.ok(statSync(file).size < before + 1024 * 1024, 'the commit itself copied nothing into the database file');
    const deadline = Date.now() + 5000;
    while (statSync(file).size < before + 8 * 1024 * 1024 && Date.now() < deadline) await new Promise((r) => setTimeout(r, CHECKPOINT_MS));
    assert.ok(statSync(file).size >= before + 8 * 1024 * 1024, `the database file grew from ${before} to ${statSync(file).size} bytes`);
    assert.equal(((await w.get<{ n: number }>('SELECT COUNT(*) AS n FROM big'))!).n, 2048);
    await w.close();
    });
  });

  test('a writer that commits without pause still gets its WAL started over: the WAL file stays near its limit', async () => {
    await inFolder('warden-restart-', async (other) => {
      const catchUpFrames = 8192; // 32 MiB here, so the test writes less than the default's 256 MiB several times over
      const w = SqliteDriver.open(other, catchUpFrames);
      await w.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT NOT NULL)');
      const wal = join(other, 'warden.sqlite-wal');
      const perTx = 2048; // 8 MiB of rows a transaction
      let largest = 0;
      for (let k = 0; k < 12; k++) {
        // Back to back, each as long as an engine's batch: the checkpointer copies one while the next runs, never all of it at a transaction's start.
        await w.transaction(async (t) => {
          const started = performance.now();
          for (let i = 0; i < perTx; i++) await t.run('INSERT INTO big (id, pad) VALUES (?, ?)', [k * perTx + i, 'x'.repeat(4000)]);
          while (performance.now() - started < 2 * CHECKPOINT_MS) await t.get('SELECT 1 AS one');
        });
        largest = Math.max(largest, statSync(wal).size);
      }
      // 96 MiB committed. Without the catch-up the WAL file would hold all of it; with it, the WAL
      // starts over once it reaches catchUpFrames, so it holds that and a transaction or two more.
      const bound = catchUpFrames * 4120 + 2 * perTx * 4120;
      assert.ok(largest <= bound, `the WAL file reached ${largest} bytes (bound ${bound})`);
      assert.equal(((await w.get<{ n: number }>('SELECT COUNT(*) AS n FROM big'))!).n, 12 * perTx);
      await w.close();
    });
  });

  test('a second open of the same folder is refused while the first is open, and allowed once it is closed', async () => {
    await inFolder('warden-owner-', async (other) => {
      const first = SqliteDriver.open(other);
      assert.throws(() => SqliteDriver.open(other), (e: Error) => e instanceof DatabaseOpenError && /in use by another process/.test(e.message));
      await first.run('CREATE TABLE k (x INTEGER)');
      await first.close();
      const again = SqliteDriver.open(other);
      assert.deepEqual(await again.all('SELECT x FROM k'), []);
      await again.close();
    });
  });
});
