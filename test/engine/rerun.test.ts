// A batchable action (PUBLISH_FINDING_TO_SNS) runs without a savepoint of its own and hands its
// message to the batch; when one throws, the engine rolls the batch back and runs it again with a
// savepoint around every action and no batch, so the error becomes that execution's FAILED record
// and the rest of the batch is applied once.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { DescribeCertificateCommand, ListAuditMitigationActionsExecutionsCommand, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import pino from 'pino';
import { actionHandlers } from '../../src/actions/index.js';
import type { ActionHandler, ActionRegistry } from '../../src/actions/types.js';
import { loadSubjects } from '../../src/engine/subjects.js';
import { Engine } from '../../src/engine/runner.js';
import { systemClock } from '../../src/index.js';
import { BACKENDS } from '../harness.js';
import { action, certFinding, injectFindings, waitAudit } from '../operations/mitigation-helpers.js';
import { inProcess, newCertificate, type Bench } from '../unit/actions-helpers.js';

for (const backend of BACKENDS) {
  describe(`a batchable action that throws (${backend})`, () => {
    let b: Bench;
    before(async () => {
      b = await inProcess(backend);
    });
    after(async () => {
      await b?.close();
    });

    test('the batch runs again with savepoints: that execution FAILED, every other effect applied once', async () => {
      const certs = await Promise.all([0, 1, 2, 3].map(async () => (await newCertificate(b.client)).id));
      await action(b.client, 'rerun-cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      await action(b.client, 'rerun-publish', { publishFindingToSnsParams: { topicArn: 'arn:aws:sns:us-east-1:000000000000:rerun' } });
      const { taskId: auditTaskId, findingIds } = await injectFindings(b.url, { findings: certs.map((c) => certFinding(c)) });
      const poisoned = findingIds[2];
      await b.client.send(
        new StartAuditMitigationActionsTaskCommand({
          taskId: 'rerun-task',
          target: { auditTaskId },
          auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['rerun-cert-off', 'rerun-publish'] },
        }),
      );

      // The real handler, but for one finding a statement fails first (on PostgreSQL that aborts the transaction).
      const publish = actionHandlers.PUBLISH_FINDING_TO_SNS;
      let calls = 0;
      let batched = 0;
      const throwing: ActionHandler = Object.assign<ActionHandler, { batchable: true }>(
        async (tx, scope, a, subject, batch) => {
          calls++;
          if (batch) batched++;
          if (subject.kind === 'finding' && subject.finding.findingId === poisoned) await tx.db.run('INSERT INTO no_such_table (x) VALUES (1)');
          return publish(tx, scope, a, subject, batch);
        },
        { batchable: true },
      );
      const handlers: ActionRegistry = { ...actionHandlers, PUBLISH_FINDING_TO_SNS: throwing };
      const lines: string[] = [];
      const log = pino({ level: 'warn' }, new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
      const engine = new Engine({ store: b.server.store, handlers, loadSubjects, clock: systemClock, log });
      engine.start();
      const end = await waitAudit(b.client, 'rerun-task').finally(() => engine.stop());
      assert.equal(end.taskStatus, 'FAILED');
      assert.deepEqual(end.taskStatistics?.DEVICE_CERTIFICATE_EXPIRING_CHECK, { totalFindingsCount: 4, succeededFindingsCount: 3, failedFindingsCount: 1, skippedFindingsCount: 0, canceledFindingsCount: 0 });

      const warnings = lines.map((l) => JSON.parse(l) as { msg: string; taskId: string; err: string });
      assert.equal(warnings.length, 1, lines.join(''));
      assert.match(warnings[0].msg, /running it again with a savepoint per action/);
      assert.match(warnings[0].err, /no_such_table/);
      const position = [...findingIds].sort().indexOf(poisoned); // targets are claimed in id order
      assert.equal(calls, position + 1 + 4, 'the first run stops at the poisoned finding; the careful run calls the handler for all four');
      assert.equal(batched, position + 1, 'only the first run hands the handler a batch');

      const executions = (await b.client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'rerun-task', findingId: poisoned }))).actionsExecutions!;
      assert.deepEqual(executions.map((e) => [e.actionName, e.status, e.errorCode]), [['rerun-cert-off', 'COMPLETED', undefined], ['rerun-publish', 'FAILED', 'INTERNAL_FAILURE']]);
      assert.match(executions[1].message!, /no_such_table/);
      for (const id of findingIds.filter((f) => f !== poisoned)) {
        const ok = (await b.client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'rerun-task', findingId: id }))).actionsExecutions!;
        assert.deepEqual(ok.map((e) => [e.actionName, e.status]), [['rerun-cert-off', 'COMPLETED'], ['rerun-publish', 'COMPLETED']], id);
      }
      for (const c of certs) assert.equal((await b.client.send(new DescribeCertificateCommand({ certificateId: c }))).certificateDescription!.status, 'INACTIVE');
      const messages = await b.server.store.db.all<{ target_id: string }>("SELECT target_id FROM sns_outbox WHERE task_id = 'rerun-task' ORDER BY target_id");
      assert.deepEqual(messages.map((m) => m.target_id), findingIds.filter((f) => f !== poisoned).sort(), 'one message per finding, none for the poisoned one');
    });
  });
}
