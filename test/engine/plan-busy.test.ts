// PostgreSQL, several nodes: while one node holds a task's planning lock, another does not wait
// for it but runs batches of the targets planned so far; the task still ends with every target
// done once and exact statistics. (SQLite has one node and one writer: there is no one to wait for.)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import pino from 'pino';
import { actionHandlers } from '../../src/actions/index.js';
import { loadSubjects } from '../../src/engine/subjects.js';
import { Engine } from '../../src/engine/runner.js';
import { systemClock } from '../../src/index.js';
import { BACKENDS } from '../harness.js';
import { action, certFinding, injectFindingsInParts, waitAudit } from '../operations/mitigation-helpers.js';
import { inProcess, type Bench } from '../unit/actions-helpers.js';

const FINDINGS = 4500;
const CHUNK = 1000;

for (const backend of BACKENDS) {
  if (backend !== 'postgres') continue;
  describe(`a task being planned by another node (${backend})`, () => {
    let b: Bench;
    before(async () => {
      b = await inProcess(backend);
      await action(b.client, 'busy-cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
    });
    after(async () => {
      await b?.close();
    });

    test('a node that finds the planning lock taken runs a batch of the planned targets instead of waiting', { timeout: 120_000 }, async () => {
      const auditTaskId = await injectFindingsInParts(b.url, Array.from({ length: FINDINGS }, () => certFinding(randomUUID().replace(/-/g, '').repeat(2))));
      const taskId = 'plan-busy-task';
      await b.client.send(new StartAuditMitigationActionsTaskCommand({ taskId, target: { auditTaskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['busy-cert-off'] } }));
      const batches: number[] = [];
      const engine = new Engine({ store: b.server.store, handlers: actionHandlers, loadSubjects, clock: systemClock, log: pino({ level: 'silent' }), planChunk: CHUNK, onBatch: (k, n) => k.taskId === taskId && batches.push(n) });
      const record = async () => (await b.server.store.repos.mitigationTasks.inProgress(50)).find((t) => t.taskId === taskId)!;

      assert.equal(await engine.step(await record()), true); // plans the first chunk
      const planned = await record();
      assert.equal(planned.planned, false);
      assert.equal(planned.targetCount, CHUNK);

      // Another node plans: its transaction holds the planning lock.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const holding = new Promise<void>((r) => (locked = r));
      const other = b.server.store.transaction(async (tx) => {
        await tx.lock(planned, `plan/audit/${taskId}`);
        locked();
        await held;
      });
      await holding;
      try {
        const waited = new Promise<string>((r) => setTimeout(() => r('still waiting for the planning lock after 10 s'), 10_000).unref());
        assert.equal(await Promise.race([engine.step(planned), waited]), true, 'the step did work without the planning lock');
        assert.equal(batches.length, 1);
        assert.ok(batches[0] > 0 && batches[0] <= CHUNK, `a batch of ${batches[0]} planned targets`);
        const after = await record();
        assert.equal(after.targetCount, CHUNK, 'nothing more was planned meanwhile');
        assert.equal(after.doneCount, batches[0]);
      } finally {
        release();
        await other;
      }

      engine.start();
      const end = await waitAudit(b.client, taskId, 120_000).finally(() => engine.stop());
      assert.deepEqual(end.taskStatistics?.DEVICE_CERTIFICATE_EXPIRING_CHECK, { totalFindingsCount: FINDINGS, succeededFindingsCount: 0, failedFindingsCount: FINDINGS, skippedFindingsCount: 0, canceledFindingsCount: 0 });
      assert.equal(batches.reduce((a, n) => a + n, 0), FINDINGS, 'every target in exactly one batch');
    });
  });
}
