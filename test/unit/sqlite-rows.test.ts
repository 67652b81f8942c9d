// Rows from the SQLite driver: better-sqlite3 hands them over as arrays and the driver makes the
// objects; they must be what better-sqlite3's own object rows would have been.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { rowFactory, SqliteDriver } from '../../src/store/sqlite.js';

describe('SQLite rows', () => {
  let dir: string;
  let db: SqliteDriver;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-rows-'));
    db = SqliteDriver.open(dir);
    await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB, note TEXT)");
    await db.run('INSERT INTO t (id, name, score, data, note) VALUES (?, ?, ?, ?, ?)', [1, 'a', 1.5, Buffer.from([1, 2]), null]);
    await db.run('INSERT INTO t (id, name, score, data, note) VALUES (?, ?, ?, ?, ?)', [2, 'b', -2, null, 'x']);
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('get and all give objects keyed by column name, as better-sqlite3 does', async () => {
    const sql = 'SELECT id, name, score, data, note, COUNT(*) OVER () AS n FROM t ORDER BY id';
    const reference = new Database(join(dir, 'reference.sqlite'));
    reference.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB, note TEXT)');
    reference.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?)').run(1, 'a', 1.5, Buffer.from([1, 2]), null);
    reference.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?)').run(2, 'b', -2, null, 'x');
    const expected = reference.prepare(sql).all();
    reference.close();
    assert.deepEqual(await db.all(sql), expected);
    assert.deepEqual(await db.get(sql), expected[0]);
    assert.deepEqual(Object.keys((await db.get<object>(sql))!), ['id', 'name', 'score', 'data', 'note', 'n']);
    assert.equal(await db.get('SELECT id FROM t WHERE id = ?', [99]), undefined);
    assert.deepEqual(await db.all('SELECT id FROM t WHERE id > ?', [99]), []);
  });

  test('a later column of the same name wins; a column named __proto__ is an own property', async () => {
    assert.deepEqual(await db.get('SELECT 1 AS a, 2 AS a'), { a: 2 });
    const row = (await db.get<Record<string, unknown>>('SELECT 1 AS __proto__, 2 AS b'))!;
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.deepEqual(Object.entries(row), [['__proto__', 1], ['b', 2]]);
  });

  test('rows inside a transaction come out the same way, and run still counts changes', async () => {
    const changed = await db.transaction(async (tx) => {
      assert.deepEqual(await tx.get('SELECT name FROM t WHERE id = ?', [2]), { name: 'b' });
      assert.deepEqual(await tx.all('SELECT id FROM t ORDER BY id'), [{ id: 1 }, { id: 2 }]);
      return tx.run('UPDATE t SET note = ? WHERE id > ?', ['y', 0]);
    });
    assert.equal(changed, 2);
  });

  test('rowFactory quotes names that are not identifiers', () => {
    const make = rowFactory(['a b', "it's", '"q"', '1']);
    assert.deepEqual(make([1, 2, 3, 4]), { 'a b': 1, "it's": 2, '"q"': 3, '1': 4 });
  });
});
