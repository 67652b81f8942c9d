// The mitigation engine serves every task in turn: a round resumes after the task the previous round
// served, so with more tasks in progress than one round visits, the newest still get batches while the
// oldest are busy (before, tasks past the 50 oldest waited until those ended).
import assert from 'node:assert/strict';
import pino from 'pino';
import { after, before, test } from 'node:test';
import { IoTClient, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { actionHandlers } from '../../src/actions/index.js';
import { loadSubjects } from '../../src/engine/subjects.js';
import { Engine } from '../../src/engine/runner.js';
import { systemClock } from '../../src/index.js';
import { action, certFinding, injectFindings } from '../operations/mitigation-helpers.js';
import { inProcess, type Bench } from '../unit/actions-helpers.js';

// At most 10 audit mitigation tasks run at once per account and region: six regions make 60.
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1'];
const TASKS = REGIONS.length * 10;
let b: Bench;
before(async () => {
  b = await inProcess('sqlite');
});
after(async () => {
  await b?.close();
});

test(`${TASKS} tasks in progress: every one gets a batch within three rounds`, async () => {
  const names: string[] = [];
  for (const region of REGIONS) {
    const client = new IoTClient({ endpoint: b.url, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await action(client, 'fair-publish', { publishFindingToSnsParams: { topicArn: `arn:aws:sns:${region}:000000000000:fair` } });
    const { taskId: auditTaskId } = await injectFindings(b.url, { findings: ['a', 'b', 'c'].map((c) => certFinding(c.repeat(64))) }, region);
    for (let i = 0; i < 10; i++) {
      const taskId = `fair-${region}-${i}`;
      names.push(taskId);
      await client.send(
        new StartAuditMitigationActionsTaskCommand({ taskId, target: { auditTaskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['fair-publish'] } }),
      );
    }
    client.destroy();
  }
  const served = new Set<string>();
  const engine = new Engine({
    store: b.server.store,
    handlers: actionHandlers,
    loadSubjects,
    clock: systemClock,
    log: pino({ level: 'silent' }),
    batchSize: 1,
    onBatch: (k) => served.add(k.taskId),
  });
  for (let round = 0; round < 3; round++) await engine.tick();
  const starved = names.filter((t) => !served.has(t));
  assert.deepEqual(starved, []);
});
