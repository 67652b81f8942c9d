// The one background loop (src/work/loop.ts): rounds never overlap, a wake during a round runs the
// next one at once, a failed round is retried after a pause, and stop() waits for the round in
// flight before its closing step runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { WorkLoop } from '../../src/work/loop.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('rounds run one at a time; before runs first, after runs once the last round has ended', async () => {
  const events: string[] = [];
  let inFlight = 0;
  let rounds = 0;
  const loop = new WorkLoop({
    name: 'test',
    log,
    idleMs: 5,
    before: async () => void events.push('before'),
    after: async () => void events.push(`after(inFlight=${inFlight})`),
    round: async () => {
      inFlight++;
      assert.equal(inFlight, 1, 'two rounds at once');
      rounds++;
      await sleep(3);
      inFlight--;
      return rounds < 5; // busy for five rounds, then idle
    },
  });
  await loop.start();
  for (let i = 0; i < 20; i++) loop.wake();
  await sleep(100);
  await loop.stop();
  assert.equal(events[0], 'before');
  assert.equal(events.at(-1), 'after(inFlight=0)');
  assert.ok(rounds >= 6, `rounds: ${rounds}`);
  const after = rounds;
  await sleep(30);
  assert.equal(rounds, after, 'no round after stop');
});

test('a wake during a round starts the next round at once instead of after the idle pause', async () => {
  const starts: number[] = [];
  let woke = false;
  const loop = new WorkLoop({
    name: 'test',
    log,
    idleMs: 60_000,
    round: async () => {
      starts.push(Date.now());
      if (!woke) {
        woke = true;
        loop.wake();
      }
      return false;
    },
  });
  await loop.start();
  await sleep(50);
  await loop.stop();
  assert.equal(starts.length, 2, 'the wake in the first round ran a second one, then it went idle');
});

test('a failed round is retried after retryMs; the signal aborts on stop and closing is set', async () => {
  let calls = 0;
  let seen: AbortSignal | undefined;
  const loop = new WorkLoop({
    name: 'test',
    log,
    idleMs: 60_000,
    retryMs: 10,
    round: async (signal) => {
      seen = signal;
      calls++;
      if (calls < 3) throw new Error('database away');
      return false;
    },
  });
  assert.equal(loop.closing, false);
  await loop.start();
  await sleep(80);
  assert.equal(calls, 3, 'two failures, each retried after 10 ms, then idle for a minute');
  const stopping = loop.stop();
  assert.equal(loop.closing, true);
  assert.equal(seen?.aborted, true);
  await stopping;
});

test('stop waits for the round in flight', async () => {
  let finished = false;
  const loop = new WorkLoop({
    name: 'test',
    log,
    idleMs: 5,
    round: async () => {
      await sleep(40);
      finished = true;
      return false;
    },
  });
  await loop.start();
  await sleep(5);
  await loop.stop();
  assert.equal(finished, true);
});
