// Task and target lifecycles are transition tables that the engine's moves go through: a move the
// table does not list changes nothing, on both databases.
import assert from 'node:assert/strict';
import pino from 'pino';
import { after, before, describe, test } from 'node:test';
import { DescribeAuditMitigationActionsTaskCommand, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { actionHandlers } from '../../src/actions/index.js';
import { canMove, moveTargets, moveTask, movesInto, TARGET_TRANSITIONS, TASK_TRANSITIONS } from '../../src/engine/lifecycle.js';
import { loadSubjects } from '../../src/engine/subjects.js';
import { Engine } from '../../src/engine/runner.js';
import { systemClock } from '../../src/index.js';
import { BACKENDS } from '../harness.js';
import { action, certFinding, injectFindings } from '../operations/mitigation-helpers.js';
import { inProcess, type Bench } from '../unit/actions-helpers.js';

test('the tables refuse what AWS never shows', () => {
  assert.equal(canMove(TASK_TRANSITIONS.audit, 'IN_PROGRESS', 'COMPLETED'), true);
  assert.equal(canMove(TASK_TRANSITIONS.audit, 'COMPLETED', 'IN_PROGRESS'), false);
  assert.equal(canMove(TASK_TRANSITIONS.audit, 'CANCELED', 'COMPLETED'), false);
  assert.equal(canMove(TASK_TRANSITIONS.detect, 'IN_PROGRESS', 'COMPLETED'), false, 'a detect task ends SUCCESSFUL');
  assert.equal(canMove(TARGET_TRANSITIONS, 'DONE', 'PENDING'), false);
  assert.deepEqual(movesInto(TARGET_TRANSITIONS, 'CANCELED'), ['PENDING', 'AWAITING', 'AWAITING_FAILED']);
  assert.throws(() => movesInto(TARGET_TRANSITIONS, 'PENDING'), /no state moves into PENDING/);
});

for (const backend of BACKENDS) {
  describe(`moves through the store (${backend})`, () => {
    let b: Bench;
    before(async () => {
      b = await inProcess(backend);
    });
    after(async () => {
      await b?.close();
    });

    test('an illegal move of a task or a target is refused and changes nothing', async () => {
      await action(b.client, 'life-publish', { publishFindingToSnsParams: { topicArn: 'arn:aws:sns:us-east-1:000000000000:life' } });
      const { taskId: auditTaskId } = await injectFindings(b.url, { findings: ['d', 'e', 'f'].map((c) => certFinding(c.repeat(64))) });
      const taskId = 'life-task';
      await b.client.send(new StartAuditMitigationActionsTaskCommand({ taskId, target: { auditTaskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['life-publish'] } }));
      const engine = new Engine({ store: b.server.store, handlers: actionHandlers, loadSubjects, clock: systemClock, log: pino({ level: 'silent' }) });
      await engine.tick(); // plans the three targets, runs none
      const repo = b.server.store.repos.mitigationTasks;
      const k = { accountId: '000000000000', region: 'us-east-1', kind: 'audit' as const, taskId };
      const [t] = await repo.claimTargets(k, 1);
      assert.equal(await moveTargets(repo, k, [t.targetId], 'DONE'), 1);
      assert.equal(await moveTargets(repo, k, [t.targetId], 'CANCELED'), 0, 'DONE is final');
      assert.equal((await repo.targetState(k, t.targetId))?.state, 'DONE');

      assert.equal(await moveTask(repo, k, 'FAILED', new Date()), true);
      assert.equal(await moveTask(repo, k, 'CANCELED', new Date()), false, 'an ended task never changes again');
      assert.equal(await moveTask(repo, k, 'COMPLETED', new Date()), false);
      const d = await b.client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId }));
      assert.equal(d.taskStatus, 'FAILED');
    });
  });
}
