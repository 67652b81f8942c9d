import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DatabaseUnavailableError, type Driver } from '../../src/store/driver.js';
import { migrate, schemaVersion, LATEST_VERSION } from '../../src/store/migrations/index.js';
import type { MitigationActionRecord } from '../../src/store/mitigation-actions.js';
import { PostgresDriver } from '../../src/store/postgres.js';
import { SqliteDriver } from '../../src/store/sqlite.js';
import { Store } from '../../src/store/store.js';
import { BACKENDS, dropSchema, freshSchema, PG_BASE, type Backend } from '../harness.js';

const us = { accountId: '000000000000', region: 'us-east-1' };
const eu = { accountId: '000000000000', region: 'eu-west-1' };
const other = { accountId: '111111111111', region: 'us-east-1' };

function action(name: string, type = 'UPDATE_DEVICE_CERTIFICATE', at = new Date('2026-01-01T00:00:00Z')): MitigationActionRecord {
  return {
    name,
    actionId: `id-${name}`,
    arn: `arn:aws:iot:us-east-1:000000000000:mitigationaction/${name}`,
    roleArn: 'arn:aws:iam::000000000000:role/r',
    actionType: type,
    params: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } },
    createdAt: at,
    modifiedAt: at,
  };
}

/** A place for one backend's database that the test removes afterwards. */
function place(backend: Backend): { open(): Promise<Driver>; url?: string; dataDir: string; cleanup(): Promise<void> } {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-store-'));
  const schema = freshSchema();
  const url = backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined;
  return {
    url,
    dataDir,
    open: async () => (url ? PostgresDriver.open(url, () => undefined) : SqliteDriver.open(dataDir)),
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      if (url) await dropSchema(schema);
    },
  };
}

for (const backend of BACKENDS) {
  describe(`store (${backend})`, () => {
    const where = place(backend);
    let store: Store;
    before(async () => {
      store = await Store.open({ dataDir: where.dataDir, databaseUrl: where.url });
    });
    after(async () => {
      await store?.close();
      await where.cleanup();
    });

    test('insert, get, update, delete, scoped by account and region', async () => {
      await store.reset();
      await store.mitigationActions.insert(us, action('a'));
      await store.mitigationActions.insert(eu, { ...action('a'), actionType: 'UPDATE_CA_CERTIFICATE' });
      assert.equal((await store.mitigationActions.get(us, 'a'))?.actionType, 'UPDATE_DEVICE_CERTIFICATE');
      assert.equal((await store.mitigationActions.get(eu, 'a'))?.actionType, 'UPDATE_CA_CERTIFICATE');
      assert.equal(await store.mitigationActions.get(other, 'a'), undefined);
      const got = await store.mitigationActions.get(us, 'a');
      assert.deepEqual(got, action('a'));
      const later = new Date('2026-02-01T00:00:00.123Z');
      assert.equal(await store.mitigationActions.update(us, { ...action('a'), roleArn: 'arn:aws:iam::000000000000:role/new', modifiedAt: later }), true);
      const updated = await store.mitigationActions.get(us, 'a');
      assert.equal(updated?.roleArn, 'arn:aws:iam::000000000000:role/new');
      assert.equal(updated?.modifiedAt.getTime(), later.getTime());
      assert.equal(updated?.createdAt.getTime(), action('a').createdAt.getTime());
      assert.equal(await store.mitigationActions.update(other, action('a')), false);
      assert.equal(await store.mitigationActions.delete(us, 'a'), true);
      assert.equal(await store.mitigationActions.delete(us, 'a'), false);
      assert.ok(await store.mitigationActions.get(eu, 'a'));
    });

    test('list pages by name in code-point order and filters by type', async () => {
      await store.reset();
      for (const n of ['b', 'B', 'a', 'c-1', 'c_2', 'Z']) await store.mitigationActions.insert(us, action(n, n === 'a' ? 'ENABLE_IOT_LOGGING' : 'UPDATE_DEVICE_CERTIFICATE'));
      await store.mitigationActions.insert(other, action('zz'));
      const first = await store.mitigationActions.list(us, { limit: 2 });
      assert.deepEqual(first.map((a) => a.name), ['B', 'Z', 'a'], 'asks for one row more than the limit');
      const rest = await store.mitigationActions.list(us, { limit: 10, afterName: 'Z' });
      assert.deepEqual(rest.map((a) => a.name), ['a', 'b', 'c-1', 'c_2']);
      const logging = await store.mitigationActions.list(us, { limit: 10, actionType: 'ENABLE_IOT_LOGGING' });
      assert.deepEqual(logging.map((a) => a.name), ['a']);
      assert.equal(await store.mitigationActions.count(us), 6);
      assert.equal(await store.mitigationActions.count(other), 1);
    });

    test('a failed transaction writes nothing', async () => {
      await store.reset();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.mitigationActions.insert(us, action('half'));
          await tx.tags.put(us, action('half').arn, [{ Key: 'k', Value: 'v' }]);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.mitigationActions.get(us, 'half'), undefined);
      assert.deepEqual(await store.tags.list(us, action('half').arn), []);
    });

    test('a savepoint undoes only its own writes', async () => {
      await store.reset();
      await store.transaction(async (tx) => {
        await tx.mitigationActions.insert(us, action('kept'));
        await assert.rejects(
          tx.savepoint(async () => {
            await tx.mitigationActions.insert(us, action('undone'));
            throw new Error('inner');
          }),
          /inner/,
        );
        await tx.savepoint(async () => tx.mitigationActions.insert(us, action('also-kept')));
      });
      assert.ok(await store.mitigationActions.get(us, 'kept'));
      assert.ok(await store.mitigationActions.get(us, 'also-kept'));
      assert.equal(await store.mitigationActions.get(us, 'undone'), undefined);
    });

    test('the scope lock makes a count-then-insert limit exact under concurrency', async () => {
      await store.reset();
      for (let i = 0; i < 95; i++) await store.mitigationActions.insert(us, action(`pre${i}`));
      const attempts = Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (tx) => {
          await tx.lock(us, 'mitigation-actions');
          if ((await tx.mitigationActions.count(us)) >= 100) return false;
          await tx.mitigationActions.insert(us, action(`race${i}`));
          return true;
        }),
      );
      const results = await Promise.all(attempts);
      assert.equal(results.filter(Boolean).length, 5);
      assert.equal(await store.mitigationActions.count(us), 100);
    });

    // PostgreSQL only: SQLite has one writer, so a lock's mode changes nothing there.
    if (backend === 'postgres') test('a shared lock is held beside other shared holders, an exclusive one waits for them all', async () => {
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let sharedIn!: () => void;
      const sharedTaken = new Promise<void>((r) => (sharedIn = r));
      const first = store.transaction(async (tx) => {
        await tx.lock(us, 'group', 'shared');
        sharedIn();
        await held;
        order.push('first shared ends');
      });
      await sharedTaken;
      // A second shared holder, and a shared and an exclusive key in one statement, get in while the first holds on.
      await store.transaction(async (tx) => tx.lock(us, ['group', 'thing'], ['shared', 'exclusive']));
      order.push('second shared in and out');
      const exclusive = store.transaction(async (tx) => {
        await tx.lock(us, 'group');
        order.push('exclusive in');
      });
      await new Promise((r) => setTimeout(r, 200));
      release();
      await Promise.all([first, exclusive]);
      assert.deepEqual(order, ['second shared in and out', 'first shared ends', 'exclusive in']);
    });

    test('tags: put overwrites by key, removeAll clears', async () => {
      await store.reset();
      const arn = action('t').arn;
      await store.tags.put(us, arn, [{ Key: 'b', Value: '1' }, { Key: 'a' }]);
      await store.tags.put(us, arn, [{ Key: 'b', Value: '2' }]);
      assert.deepEqual(await store.tags.list(us, arn), [{ Key: 'a', Value: '' }, { Key: 'b', Value: '2' }]);
      assert.deepEqual(await store.tags.list(eu, arn), []);
      await store.tags.removeAll(us, arn);
      assert.deepEqual(await store.tags.list(us, arn), []);
    });

    test('reset empties every table but keeps the schema', async () => {
      await store.mitigationActions.insert(us, action('gone'));
      await store.reset();
      assert.equal(await store.mitigationActions.count(us), 0);
      assert.equal(await schemaVersion(store.db), LATEST_VERSION);
    });
  });

  describe(`migrations (${backend})`, () => {
    const where = place(backend);
    after(() => where.cleanup());

    test('a database left at version 1 is migrated at start-up and loses nothing', async () => {
      const db = await where.open();
      assert.deepEqual(await migrate(db, 1), [1]);
      await db.run(
        `INSERT INTO mitigation_actions (account_id, region, name, action_id, arn, role_arn, action_type, params, tags, created_at, modified_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ['000000000000', 'us-east-1', 'old', 'id-old', action('old').arn, 'arn:aws:iam::000000000000:role/r', 'UPDATE_DEVICE_CERTIFICATE',
          JSON.stringify(action('old').params), JSON.stringify([{ Key: 'team', Value: 'sec' }, { Key: 'tier' }]), 1767225600000, 1767225600000],
      );
      await db.close();

      const store = await Store.open({ dataDir: where.dataDir, databaseUrl: where.url });
      try {
        assert.equal(await schemaVersion(store.db), LATEST_VERSION);
        assert.deepEqual(await store.mitigationActions.get(us, 'old'), action('old', 'UPDATE_DEVICE_CERTIFICATE', new Date(1767225600000)));
        assert.deepEqual(await store.tags.list(us, action('old').arn), [{ Key: 'team', Value: 'sec' }, { Key: 'tier', Value: '' }]);
      } finally {
        await store.close();
      }
      // Opening again applies nothing twice.
      const again = await where.open();
      assert.deepEqual(await migrate(again), []);
      await again.close();
    });

    test('a database left at version 9 with things, groups and tags reaches 10 (billing groups) and loses nothing', async () => {
      const at9 = place(backend);
      try {
        const db = await at9.open();
        assert.deepEqual(await migrate(db, 9), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        const thingArn = 'arn:aws:iot:us-east-1:000000000000:thing/lamp';
        const groupArn = 'arn:aws:iot:us-east-1:000000000000:thinggroup/site';
        await db.run(
          `INSERT INTO things (account_id, region, name, thing_id, arn, thing_type_name, version, attributes, created_at, modified_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [us.accountId, us.region, 'lamp', 'id-lamp', thingArn, null, 3, JSON.stringify({ color: 'red' }), 1767225600000, 1767225600001],
        );
        await db.run('INSERT INTO thing_attributes (account_id, region, thing_name, attr_name, attr_value) VALUES (?, ?, ?, ?, ?)', [us.accountId, us.region, 'lamp', 'color', 'red']);
        await db.run(
          `INSERT INTO thing_groups (account_id, region, name, group_id, arn, parent_name, root_name, path, depth, is_dynamic, description, attributes, version, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [us.accountId, us.region, 'site', 'id-site', groupArn, null, 'site', 'site/', 1, 0, 'the site', '{}', 2, 1767225600000],
        );
        await db.run('INSERT INTO thing_group_members (account_id, region, group_name, thing_name, is_dynamic, added_at) VALUES (?, ?, ?, ?, ?, ?)', [
          us.accountId, us.region, 'site', 'lamp', 0, 1767225600002,
        ]);
        await db.run('INSERT INTO resource_tags (account_id, region, resource_arn, tag_key, tag_value) VALUES (?, ?, ?, ?, ?)', [us.accountId, us.region, groupArn, 'team', 'iot']);
        await db.close();

        const store = await Store.open({ dataDir: at9.dataDir, databaseUrl: at9.url });
        try {
          assert.equal(await schemaVersion(store.db), LATEST_VERSION);
          assert.ok(LATEST_VERSION >= 10);
          const r = store.repos;
          assert.deepEqual(await r.things.get(us, 'lamp'), {
            name: 'lamp', thingId: 'id-lamp', arn: thingArn, thingTypeName: undefined, version: 3,
            attributes: { color: 'red' }, createdAt: new Date(1767225600000), modifiedAt: new Date(1767225600001),
          });
          assert.deepEqual((await r.things.list(us, { attributeName: 'color', attributeValue: 'red', limit: 10 })).map((t) => t.name), ['lamp']);
          const site = await r.thingGroups.get(us, 'site');
          assert.equal(site?.description, 'the site');
          assert.equal(site?.version, 2);
          assert.deepEqual(await r.thingGroupMembers.ofThing(us, 'lamp'), [{ groupName: 'site', isDynamic: false, addedAt: 1767225600002, rootName: 'site' }]);
          assert.deepEqual(await r.tags.list(us, groupArn), [{ Key: 'team', Value: 'iot' }]);
          // The new tables are there, empty, and usable with the old things.
          assert.equal(await r.billingGroups.groupOfThing(us, 'lamp'), undefined);
          const bg = { name: 'cc', groupId: 'id-cc', arn: 'arn:aws:iot:us-east-1:000000000000:billinggroup/cc', version: 1, createdAt: new Date(1767225600000) };
          assert.equal(await r.billingGroups.insert(us, bg), true);
          await r.billingGroups.setGroupOfThing(us, 'lamp', 'cc', new Date(1767225600003));
          assert.equal(await r.billingGroups.groupOfThing(us, 'lamp'), 'cc');
          assert.deepEqual(await r.billingGroups.thingNames(us, 'cc', undefined, 10), ['lamp']);
          assert.deepEqual(await r.billingGroups.get(us, 'cc'), { ...bg, description: undefined });
        } finally {
          await store.close();
        }
      } finally {
        await at9.cleanup();
      }
    });
  });
}

describe('PostgreSQL connection lost inside a transaction', () => {
  test('the dead connection is an error of the transaction, never an uncaught error event', async () => {
    const schema = freshSchema();
    const driver = await PostgresDriver.open(`${PG_BASE}?schema=${schema}`, () => undefined);
    const killer = await PostgresDriver.open(PG_BASE, () => undefined);
    try {
      const failed = await driver
        .transaction(async (tx) => {
          const { pid } = (await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!;
          await killer.get('SELECT pg_terminate_backend(?)', [pid]);
          // The socket dies while the transaction holds the client and no query runs.
          await new Promise((r) => setTimeout(r, 200));
          await tx.get('SELECT 1');
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(failed instanceof DatabaseUnavailableError, String(failed));
      // The pool goes on with a fresh connection.
      assert.deepEqual(await driver.get('SELECT 1 AS one'), { one: 1 });
    } finally {
      await killer.close();
      await driver.close();
      await dropSchema(schema);
    }
  });
});
