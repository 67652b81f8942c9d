// PUBLISH_FINDING_TO_SNS end to end: a Warden process started with --sns-endpoint pointing at a
// real moto_server runs an audit mitigation task; the finding arrives on an SQS queue subscribed
// to the topic; a missing topic fails the execution (SNS_TOPIC_NOT_FOUND) and so the task.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ListAuditMitigationActionsExecutionsCommand, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { iot, startServer, type Running } from '../harness.js';
import { startMoto, type Moto } from '../moto.js';
import { action, injectFindings, loggingFinding, waitAudit } from './mitigation-helpers.js';

describe('PUBLISH_FINDING_TO_SNS through a real SNS (moto_server)', () => {
  let moto: Moto;
  let server: Running;
  let client: ReturnType<typeof iot>;
  before(async () => {
    moto = await startMoto();
    server = await startServer({ args: ['--sns-endpoint', moto.url, '--sns-access-key-id', 'test', '--sns-secret-access-key', 'test'] });
    client = iot(server.url);
  });
  after(async () => {
    client?.destroy();
    await server?.cleanup();
    moto?.stop();
  });

  test('the finding reaches the subscribed queue with a stable message id; the execution completes after delivery', async () => {
    const { topicArn, queueUrl } = await moto.topicWithQueue();
    await action(client, 'tell', { publishFindingToSnsParams: { topicArn } });
    const audit = await injectFindings(server.url, { findings: [loggingFinding()] });
    await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 'sns-ok', target: { findingIds: audit.findingIds }, auditCheckToActionsMapping: { LOGGING_DISABLED_CHECK: ['tell'] } }));
    const done = await waitAudit(client, 'sns-ok');
    assert.equal(done.taskStatus, 'COMPLETED');
    const [note] = await moto.received(queueUrl);
    const message = JSON.parse(note.Message);
    assert.equal(message.version, '1.0');
    assert.equal(message.taskId, 'sns-ok');
    assert.equal(message.taskType, 'AUDIT_MITIGATION_ACTIONS_TASK');
    assert.equal(message.actionName, 'tell');
    assert.equal(message.finding.findingId, audit.findingIds[0]);
    assert.equal(message.finding.checkName, 'LOGGING_DISABLED_CHECK');
    assert.match(note.MessageAttributes.wardenMessageId.Value, /^[0-9a-f-]{36}$/);
    const execs = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'sns-ok', findingId: audit.findingIds[0] }));
    assert.deepEqual(execs.actionsExecutions?.map((e) => e.status), ['COMPLETED']);
  });

  test('a topic SNS does not know fails the execution with SNS_TOPIC_NOT_FOUND and the task ends FAILED', async () => {
    await action(client, 'tell-nobody', { publishFindingToSnsParams: { topicArn: 'arn:aws:sns:us-east-1:123456789012:no-such-topic' } });
    const audit = await injectFindings(server.url, { findings: [loggingFinding()] });
    await client.send(
      new StartAuditMitigationActionsTaskCommand({ taskId: 'sns-missing', target: { findingIds: audit.findingIds }, auditCheckToActionsMapping: { LOGGING_DISABLED_CHECK: ['tell-nobody'] } }),
    );
    const done = await waitAudit(client, 'sns-missing');
    assert.equal(done.taskStatus, 'FAILED');
    assert.deepEqual(done.taskStatistics?.LOGGING_DISABLED_CHECK, { totalFindingsCount: 1, failedFindingsCount: 1, succeededFindingsCount: 0, skippedFindingsCount: 0, canceledFindingsCount: 0 });
    const execs = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'sns-missing', findingId: audit.findingIds[0] }));
    assert.deepEqual(execs.actionsExecutions?.map((e) => [e.status, e.errorCode]), [['FAILED', 'SNS_TOPIC_NOT_FOUND']]);
  });
});
