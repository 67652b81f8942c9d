// The broker's batches for the database (src/broker/batches.ts): a fleet's batch is written in
// parts of at most PART_ROWS rows, one transaction each, with the event loop free between them
// (on SQLite a write holds the loop), and every row lands, once, on both databases. The cloud-side
// counters of the current period gather for CHECKPOINT_MS before the timer writes them (a row per
// thing and write), an ended period's within a second.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { ManualClock } from '../../src/base/clock.js';
import { PART_ROWS, inParts } from '../../src/broker/batches.js';
import { CHECKPOINT_MS, CloudCounters } from '../../src/broker/cloud-counters.js';
import type { Store } from '../../src/store/store.js';
import { BACKENDS, useStore } from '../harness.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };
const PERIOD = 1_800_000_000_000;

test('inParts cuts runs of PART_ROWS, in order', () => {
  const items = Array.from({ length: 2 * PART_ROWS + 3 }, (_, i) => i);
  const parts = inParts(items);
  assert.deepEqual(parts.map((p) => p.length), [PART_ROWS, PART_ROWS, 3]);
  assert.deepEqual(parts.flat(), items);
  assert.deepEqual(inParts([]), []);
});

for (const backend of BACKENDS) {
  describe(`broker batches (${backend})`, () => {
    let store: Store;
    useStore(backend, 'warden-batches-', (s) => (store = s));

    test('a batch of many things is written in parts with the event loop turning between them, every thing once', async () => {
      await store.reset();
      const things = 5 * PART_ROWS + 7;
      const counters = new CloudCounters(store, pino({ level: 'silent' }), new ManualClock(new Date(PERIOD + 1000)));
      for (let i = 0; i < things; i++) {
        counters.sent(scope, `thing-${i}`, `t/${i}`, 10 + i);
        counters.sent(scope, `thing-${i}`, `t/${i}`, 1);
      }
      // Turns of the event loop while the flush runs: one per part at least, less one.
      let turns = 0;
      let flushing = true;
      const spin = (): void => {
        if (!flushing) return;
        turns++;
        setImmediate(spin);
      };
      setImmediate(spin);
      await counters.flush();
      flushing = false;
      assert.ok(turns >= Math.ceil(things / PART_ROWS) - 1, `the event loop turned ${turns} times during the flush`);
      const claimed = await store.transaction((tx) => tx.detectCloud.claimPeriod(PERIOD + 600_000, 100_000));
      assert.equal(claimed.length, things);
      const byThing = new Map(claimed.map((c) => [c.thingName, c.activities]));
      assert.equal(byThing.size, things);
      assert.deepEqual(byThing.get('thing-0'), [{ s: { 't/0': [2, 11, 1, 10] } }]);
      await counters.close();
    });

    test("the timer keeps the current period's counters gathering, and writes an ended period's within a second", async () => {
      await store.reset();
      const clock = new ManualClock(new Date(PERIOD + 1000));
      const counters = new CloudCounters(store, pino({ level: 'silent' }), clock);
      try {
        for (let second = 0; second < 3; second++) {
          counters.sent(scope, 'chatty', 't/chatty', 5);
          await new Promise((r) => setTimeout(r, 1100)); // a timer tick (every second) in each
        }
        assert.ok(CHECKPOINT_MS > 3300, 'three ticks came before the checkpoint');
        // Had a tick written them, there would be three rows of one message each.
        clock.set(new Date(PERIOD + 300_000 + 10)); // the period has ended
        await new Promise((r) => setTimeout(r, 1300));
        assert.deepEqual(
          (await store.transaction((tx) => tx.detectCloud.claimPeriod(PERIOD + 600_000, 100_000))).map((c) => [c.thingName, c.activities]),
          [['chatty', [{ s: { 't/chatty': [3, 15, 5, 5] } }]]],
          'one row, the three seconds merged, written by the timer once the period ended',
        );
        // A thing of the new period: flush() writes it at once, due or not.
        counters.sent(scope, 'late', 't/late', 7);
        await counters.flush();
        assert.deepEqual(await store.transaction((tx) => tx.detectCloud.claimPeriod(PERIOD + 300_000, 100_000)), [], 'nothing left of the first period');
        const next = await store.transaction((tx) => tx.detectCloud.claimPeriod(PERIOD + 600_000, 100_000));
        assert.deepEqual(next.map((c) => [c.thingName, c.periodStart, c.activities]), [['late', PERIOD + 300_000, [{ s: { 't/late': [1, 7, 7, 7] } }]]]);
      } finally {
        await counters.close();
      }
    });
  });
}
