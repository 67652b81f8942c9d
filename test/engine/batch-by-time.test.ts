// The engine sizes its batches by time when no size is given: batches that take less than the
// target time grow (at most doubling), batches that take more shrink (at most halving), near the
// end a batch claims at most a quarter of what is left, and every target is done exactly once
// whatever the sizes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import pino from 'pino';
import { actionHandlers } from '../../src/actions/index.js';
import { loadSubjects } from '../../src/engine/subjects.js';
import { BATCH_FIRST, BATCH_MIN, Engine, TAIL_SHARE } from '../../src/engine/runner.js';
import { systemClock } from '../../src/index.js';
import { BACKENDS } from '../harness.js';
import { action, certFinding, injectFindingsInParts, waitAudit } from '../operations/mitigation-helpers.js';
import { inProcess, type Bench } from '../unit/actions-helpers.js';

const FINDINGS = 3000;

for (const backend of BACKENDS) {
  describe(`batches sized by time (${backend})`, () => {
    let b: Bench;
    before(async () => {
      b = await inProcess(backend);
      await action(b.client, 'sized-cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
    });
    after(async () => {
      await b?.close();
    });

    /** Runs a task over FINDINGS findings (certificates that do not exist: each execution FAILED) and answers the batches' sizes in order. */
    async function sizes(taskId: string, batchMs: number): Promise<number[]> {
      const auditTaskId = await injectFindingsInParts(b.url, Array.from({ length: FINDINGS }, () => certFinding(randomUUID().replace(/-/g, '').repeat(2))));
      await b.client.send(new StartAuditMitigationActionsTaskCommand({ taskId, target: { auditTaskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['sized-cert-off'] } }));
      const seen: number[] = [];
      const engine = new Engine({ store: b.server.store, handlers: actionHandlers, loadSubjects, clock: systemClock, log: pino({ level: 'silent' }), batchMs, onBatch: (k, n) => k.taskId === taskId && seen.push(n) });
      engine.start();
      const end = await waitAudit(b.client, taskId, 120_000).finally(() => engine.stop());
      assert.equal(end.taskStatus, 'FAILED'); // every finding's action FAILED
      assert.deepEqual(end.taskStatistics?.DEVICE_CERTIFICATE_EXPIRING_CHECK, { totalFindingsCount: FINDINGS, succeededFindingsCount: 0, failedFindingsCount: FINDINGS, skippedFindingsCount: 0, canceledFindingsCount: 0 });
      assert.equal(seen.reduce((a, n) => a + n, 0), FINDINGS, 'every target in exactly one batch');
      return seen;
    }

    test('fast batches grow from the first size, at most doubling each time, and claim at most a quarter of what is left', async () => {
      const s = await sizes('sized-grow', 60_000);
      assert.equal(s[0], BATCH_FIRST);
      let left = FINDINGS - s[0];
      for (let i = 1; i < s.length; i++) {
        // Each batch is far under a minute, so the size doubles; near the end, a quarter of what is left (at least the first size) or what is left.
        assert.equal(s[i], Math.min(left, 2 * s[i - 1], Math.max(BATCH_FIRST, Math.ceil(left / TAIL_SHARE))), `batch ${i} of ${s.join(', ')}`);
        left -= s[i];
      }
      assert.ok(Math.max(...s) > 2 * BATCH_FIRST, s.join(', '));
    });

    test('slow batches shrink, at most halving each time, not below the least size', async () => {
      const s = await sizes('sized-shrink', 0.001);
      assert.equal(s[0], BATCH_FIRST);
      for (let i = 1; i < s.length - 1; i++) assert.equal(s[i], Math.max(BATCH_MIN, Math.round(s[i - 1] / 2)), `batch ${i} of ${s.join(', ')}`);
      assert.ok(s.includes(BATCH_MIN), s.join(', '));
    });
  });
}
