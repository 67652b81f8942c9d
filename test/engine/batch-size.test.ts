// The engine's batch size by time: the next batch is what the last one's rate fits in the target
// time and its commit in the commit time, moving by at most a factor of two a batch, within the bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BATCH_MAX, BATCH_MIN, nextBatchSize } from '../../src/engine/runner.js';

test('a batch faster than the target time grows, at most doubling', () => {
  assert.equal(nextBatchSize(100, { done: 100, elapsedMs: 100, commitMs: 0 }, 200), 200); // rate 1/ms, 200 ms → 200
  assert.equal(nextBatchSize(100, { done: 100, elapsedMs: 10, commitMs: 0 }, 200), 200); // would be 2,000: doubles only
  assert.equal(nextBatchSize(300, { done: 300, elapsedMs: 200, commitMs: 0 }, 200), 300); // on target: unchanged
});

test('a batch slower than the target time shrinks, at most halving', () => {
  assert.equal(nextBatchSize(400, { done: 400, elapsedMs: 800, commitMs: 0 }, 200), 200);
  assert.equal(nextBatchSize(400, { done: 400, elapsedMs: 100_000, commitMs: 0 }, 200), 200);
  assert.equal(nextBatchSize(400, { done: 400, elapsedMs: 500, commitMs: 0 }, 200), 200); // 160 wanted, halving stops at 200
  assert.equal(nextBatchSize(400, { done: 400, elapsedMs: 320, commitMs: 0 }, 200), 250);
});

test('a short last batch of a task counts by its rate, not its size', () => {
  assert.equal(nextBatchSize(1000, { done: 10, elapsedMs: 1, commitMs: 0 }, 200), 2000); // 10 targets in 1 ms: fast, so grow
  assert.equal(nextBatchSize(1000, { done: 10, elapsedMs: 20, commitMs: 0 }, 200), 500); // 10 targets in 20 ms: 100 fit, halving stops at 500
});

test('a batch whose commit takes longer than the commit time shrinks, however fast the rest', () => {
  assert.equal(nextBatchSize(1000, { done: 1000, elapsedMs: 50, commitMs: 40 }, 200, 20), 500); // the commit fits 500
  assert.equal(nextBatchSize(1000, { done: 1000, elapsedMs: 50, commitMs: 25 }, 200, 20), 800);
  assert.equal(nextBatchSize(1000, { done: 1000, elapsedMs: 50, commitMs: 5 }, 200, 20), 2000); // both allow more: doubles
  assert.equal(nextBatchSize(1000, { done: 1000, elapsedMs: 400, commitMs: 5 }, 200, 20), 500); // the time is the bound
});

test('the size stays within its bounds', () => {
  assert.equal(nextBatchSize(BATCH_MAX, { done: BATCH_MAX, elapsedMs: 1, commitMs: 0 }, 200), BATCH_MAX);
  assert.equal(nextBatchSize(BATCH_MIN, { done: BATCH_MIN, elapsedMs: 100_000, commitMs: 0 }, 200), BATCH_MIN);
  assert.equal(nextBatchSize(BATCH_MIN + 1, { done: 1, elapsedMs: 0, commitMs: 0 }, 200), Math.min(BATCH_MAX, 2 * (BATCH_MIN + 1))); // no time measured: grows
});
