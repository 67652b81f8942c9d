// PUBLISH_FINDING_TO_SNS writes the D13 message to the outbox in the execution's transaction;
// GET /_warden/sns/messages reads it back (signed, the caller's account), filtered by topic ARN, in pages. Both backends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { actionHandlers, createActionHandlers } from '../../src/actions/index.js';
import { snsMessageId } from '../../src/actions/publish-finding-to-sns.js';
import { BACKENDS, snsMessages } from '../harness.js';
import { act, type Bench, def, finding, inProcess, unique, violation } from '../unit/actions-helpers.js';

const topic = (name: string) => `arn:aws:sns:us-east-1:000000000000:${name}`;

for (const backend of BACKENDS) {
  describe(`PUBLISH_FINDING_TO_SNS and GET /_warden/sns/messages (${backend})`, () => {
    let b: Bench;
    before(async () => {
      b = await inProcess(backend);
    });
    after(async () => {
      await b?.close();
    });
    const messages = async (query = '') => {
      const res = await snsMessages(b.url, query);
      return { status: res.status, body: res.json as any };
    };

    test('without an SNS endpoint: SUCCEEDED, the D13 message waits in the outbox with a stable id, once per execution', async () => {
      const topicArn = topic(unique('findings'));
      const action = def({ publishFindingToSnsParams: { topicArn } }, 'PublishAction');
      const subject = finding({ deviceCertificateId: 'ab'.repeat(32) }, { findingId: 'finding-1', taskId: 'task-1' });
      assert.deepEqual(await act(b, actionHandlers, 'PUBLISH_FINDING_TO_SNS', action, subject), { status: 'SUCCEEDED' });
      const { status, body } = await messages(`?topicArn=${encodeURIComponent(topicArn)}`);
      assert.equal(status, 200);
      assert.equal(body.messages.length, 1);
      const m = body.messages[0];
      const id = snsMessageId({ accountId: '000000000000', region: 'us-east-1', kind: 'audit', taskId: 'task-1', targetId: 'finding-1', actionName: 'PublishAction' });
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(m.messageId, id);
      assert.equal(m.topicArn, topicArn);
      assert.equal(m.state, 'STORED');
      assert.equal(m.taskType, 'AUDIT_MITIGATION_ACTIONS_TASK');
      assert.equal(typeof m.createdAt, 'number');
      assert.deepEqual(JSON.parse(m.message), {
        version: '1.0',
        accountId: '000000000000',
        region: 'us-east-1',
        taskId: 'task-1',
        taskType: 'AUDIT_MITIGATION_ACTIONS_TASK',
        actionName: 'PublishAction',
        actionId: 'id-PublishAction',
        finding: {
          findingId: 'finding-1',
          taskId: 'audit-task-1',
          checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
          taskStartTime: 1772359200.5,
          findingTime: 1772359500,
          severity: 'CRITICAL',
          nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: 'ab'.repeat(32) } },
          reasonForNonCompliance: 'Certificate shared by several devices.',
          reasonForNonComplianceCode: 'CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES',
          isSuppressed: false,
        },
      });
      // The same execution again (a retried batch): no second message.
      assert.deepEqual(await act(b, actionHandlers, 'PUBLISH_FINDING_TO_SNS', action, subject), { status: 'SUCCEEDED' });
      assert.equal((await messages(`?topicArn=${encodeURIComponent(topicArn)}`)).body.messages.length, 1);
      // Another action on the same finding is another message.
      await act(b, actionHandlers, 'PUBLISH_FINDING_TO_SNS', def({ publishFindingToSnsParams: { topicArn } }, 'Other'), subject);
      const two = (await messages(`?topicArn=${encodeURIComponent(topicArn)}`)).body.messages;
      assert.equal(two.length, 2);
      assert.notEqual(two[1].messageId, id);
    });

    test('a detect violation is published as "violation" with taskType DETECT_MITIGATION_ACTIONS_TASK', async () => {
      const topicArn = topic(unique('violations'));
      const subject = violation('thing-1', { violationId: 'v-1', taskId: 'dtask' });
      await act(b, actionHandlers, 'PUBLISH_FINDING_TO_SNS', def({ publishFindingToSnsParams: { topicArn } }, 'Notify'), subject);
      const [m] = (await messages(`?topicArn=${encodeURIComponent(topicArn)}`)).body.messages;
      assert.equal(m.taskType, 'DETECT_MITIGATION_ACTIONS_TASK');
      assert.equal(m.targetId, 'v-1');
      const body = JSON.parse(m.message);
      assert.equal(body.taskType, 'DETECT_MITIGATION_ACTIONS_TASK');
      assert.equal(body.taskId, 'dtask');
      assert.equal(body.finding, undefined);
      assert.deepEqual(body.violation, {
        violationId: 'v-1',
        thingName: 'thing-1',
        securityProfileName: 'profile',
        behavior: { name: 'too-many-bytes', metric: 'aws:all-bytes-out' },
        violationStartTime: 1772438400,
      });
    });

    test('with SNS delivery the execution is PENDING and the message waits for the worker', async () => {
      const topicArn = topic(unique('delivered'));
      const handlers = createActionHandlers({ snsDelivery: true });
      const o = await act(b, handlers, 'PUBLISH_FINDING_TO_SNS', def({ publishFindingToSnsParams: { topicArn } }), finding({ account: '000000000000' }));
      assert.deepEqual(o, { status: 'PENDING' });
      const [m] = (await messages(`?topicArn=${encodeURIComponent(topicArn)}`)).body.messages;
      assert.equal(m.state, 'PENDING');
      assert.equal(m.attempts, 0);
    });

    test('the list filters by topic ARN and pages with limit and nextToken; bad values are InvalidRequestException', async () => {
      const topicArn = topic(unique('paged'));
      const action = def({ publishFindingToSnsParams: { topicArn } });
      for (let i = 0; i < 5; i++) await act(b, actionHandlers, 'PUBLISH_FINDING_TO_SNS', action, finding({ account: '000000000000' }, { findingId: `paged-${i}` }));
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const { body } = await messages(`?topicArn=${encodeURIComponent(topicArn)}&limit=2${token ? `&nextToken=${token}` : ''}`);
        assert.ok(body.messages.length <= 2);
        seen.push(...body.messages.map((m: any) => m.targetId));
        token = body.nextToken;
      } while (token);
      assert.deepEqual(seen, [0, 1, 2, 3, 4].map((i) => `paged-${i}`));
      const all = (await messages()).body.messages;
      assert.ok(all.length > 5);
      assert.ok(all.some((m: any) => m.topicArn !== topicArn));
      assert.deepEqual((await messages(`?topicArn=${encodeURIComponent(topic('nothing-here'))}`)).body, { messages: [] });
      for (const bad of ['?limit=0', '?limit=1001', '?limit=abc', '?nextToken=xyz']) {
        const res = await snsMessages(b.url, bad);
        assert.equal(res.status, 400, bad);
        assert.equal(res.headers.get('x-amzn-errortype'), 'InvalidRequestException');
        assert.match((res.json as any).message, /limit|nextToken/);
      }
    });

    test('retention removes stored and finished messages written before the cut-off, never one still waiting for delivery', async () => {
      const outbox = b.server.store.repos.outbox;
      const before = (await messages('?limit=1000')).body.messages;
      const pending = before.filter((m: any) => m.state === 'PENDING').map((m: any) => m.messageId);
      assert.ok(pending.length >= 1 && before.length > pending.length);
      assert.equal(await outbox.purgeBefore(new Date(Date.now() - 3_600_000)), 0);
      assert.equal(await outbox.purgeBefore(new Date(Date.now() + 1000)), before.length - pending.length);
      assert.deepEqual((await messages('?limit=1000')).body.messages.map((m: any) => m.messageId), pending);
    });
  });
}
