// Claims of cloud-side activity (DetectCloudRepo.claimPeriod) take whole things only, so a thing's
// period is evaluated once, whole: a thing cut by the limit is left for the next claim, one that
// alone fills the limit is claimed whole, and on PostgreSQL a thing another node's transaction
// holds part of is left to it (SKIP LOCKED would otherwise hand over the rest).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClaimedCloudActivity } from '../../src/store/detect-cloud.js';
import type { Store } from '../../src/store/store.js';
import { BACKENDS, useStore } from '../harness.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };
const PERIOD = 1_800_000_000_000;
const BEFORE = PERIOD + 300_000;

/** Recordings of one thing in the period: `n` of them, numbered. */
const recordings = (thingName: string, n: number) => Array.from({ length: n }, (_, i) => ({ thingName, periodStart: PERIOD, activity: { i } }));
const summary = (claimed: ClaimedCloudActivity[]) => claimed.map((c) => `${c.thingName}:${c.activities.length}`);

for (const backend of BACKENDS) {
  describe(`cloud-side activity claims (${backend})`, () => {
    let store: Store;
    useStore(backend, 'warden-claim-', (s) => (store = s));

    test('the limit never cuts a thing: the cut one waits for the next claim; one that alone fills the limit is claimed whole', async () => {
      await store.reset();
      await store.transaction((tx) => tx.detectCloud.append(scope, [...recordings('a', 2), ...recordings('b', 3), ...recordings('c', 7), ...recordings('d', 1)]));
      const claim = () => store.transaction((tx) => tx.detectCloud.claimPeriod(BEFORE, 4));
      assert.deepEqual(summary(await claim()), ['a:2']);
      assert.deepEqual(summary(await claim()), ['b:3']);
      const c = await claim();
      assert.deepEqual(summary(c), ['c:7']);
      assert.deepEqual(c[0].activities, Array.from({ length: 7 }, (_, i) => ({ i })));
      assert.deepEqual(summary(await claim()), ['d:1']);
      assert.deepEqual(await claim(), []);
    });

    if (backend === 'postgres') {
      test("a thing part of which another transaction holds is left to it, and claimed whole once that one ends", async () => {
        await store.reset();
        await store.transaction((tx) => tx.detectCloud.append(scope, [...recordings('w', 2), ...recordings('x', 5), ...recordings('y', 1)]));
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        let claimedFirst!: () => void;
        const firstClaimed = new Promise<void>((r) => (claimedFirst = r));
        let first: ClaimedCloudActivity[] = [];
        // The first node's window (limit 3) is w, w, x: it keeps w and holds x's first row until it commits.
        const node1 = store.transaction(async (tx) => {
          first = await tx.detectCloud.claimPeriod(BEFORE, 3);
          claimedFirst();
          await held;
        });
        await firstClaimed;
        // The second skips the held rows: x's other four and y. It must not take part of x.
        const second = await store.transaction((tx) => tx.detectCloud.claimPeriod(BEFORE, 100));
        release();
        await node1;
        assert.deepEqual(summary(first), ['w:2']);
        assert.deepEqual(summary(second), ['y:1']);
        assert.deepEqual(summary(await store.transaction((tx) => tx.detectCloud.claimPeriod(BEFORE, 100))), ['x:5']);
      });
    }
  });
}
