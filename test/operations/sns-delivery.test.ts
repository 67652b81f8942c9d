// The SNS delivery worker against a real moto_server (the image's Python): a message written by
// PUBLISH_FINDING_TO_SNS reaches an SQS queue subscribed to the topic with its wardenMessageId
// attribute; a missing topic fails the execution through the callback; transient failures are
// retried; a new worker delivers what an earlier one left (closed, or dead with a lease). Both backends.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import pino from 'pino';
import { createActionHandlers } from '../../src/actions/index.js';
import { snsMessageId } from '../../src/actions/publish-finding-to-sns.js';
import type { ActionScope } from '../../src/actions/types.js';
import { ManualClock, systemClock, type Clock } from '../../src/base/clock.js';
import { serveOptions } from '../../src/cli/serve.js';
import { classifySnsError, startSnsDelivery, type DeliveryOutcome, type SnsDelivery } from '../../src/engine/sns-delivery.js';
import type { OutboxExecutionKey } from '../../src/store/outbox.js';
import { Store } from '../../src/store/store.js';
import { BACKENDS, dropSchema, freshSchema, PG_BASE } from '../harness.js';
import { freePort, startMoto, until, type Moto } from '../moto.js';
import { def, finding, unique } from '../unit/actions-helpers.js';

const CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };
const silent = pino({ level: 'silent' });
const handlers = createActionHandlers({ snsDelivery: true });

describe('SNS errors and options', () => {
  const t = 'arn:aws:sns:us-east-1:123456789012:t';
  const err = (name: string, status?: number, fault?: string) => Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });
  test('missing topic and permission errors fail the execution; other client errors are rejected; the rest is retried', () => {
    const code = (e: unknown) => {
      const v = classifySnsError(e, t);
      return v.retry ? 'retry' : v.outcome.errorCode;
    };
    assert.equal(code(err('NotFoundException', 404, 'client')), 'SNS_TOPIC_NOT_FOUND');
    assert.equal(code(err('NotFound', 404, 'client')), 'SNS_TOPIC_NOT_FOUND');
    assert.equal(code(err('AuthorizationErrorException', 403, 'client')), 'INSUFFICIENT_PERMISSIONS');
    assert.equal(code(err('AccessDenied', 403, 'client')), 'INSUFFICIENT_PERMISSIONS');
    assert.equal(code(err('SomethingForbidden', 403, 'client')), 'INSUFFICIENT_PERMISSIONS');
    assert.equal(code(err('InvalidParameterException', 400, 'client')), 'SNS_PUBLISH_REJECTED');
    assert.equal(code(err('ThrottledException', 400, 'client')), 'retry');
    assert.equal(code(err('Throttling', 429, 'client')), 'retry');
    assert.equal(code(err('InternalErrorException', 500, 'server')), 'retry');
    assert.equal(code(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), 'retry');
    const v = classifySnsError(err('AuthorizationErrorException', 403, 'client'), t);
    assert.ok(!v.retry && /publish to arn:aws:sns:us-east-1:123456789012:t/.test(v.outcome.message));
  });
  test('warden serve takes --sns-endpoint, --sns-region and the SNS key pair (or WARDEN_SNS_*)', () => {
    const o = serveOptions(['--sns-endpoint', 'http://127.0.0.1:5000', '--sns-region', 'eu-west-1', '--sns-access-key-id', 'AK', '--sns-secret-access-key', 'SK'], {});
    assert.equal(o.snsEndpoint, 'http://127.0.0.1:5000');
    assert.equal(o.snsRegion, 'eu-west-1');
    assert.deepEqual(o.snsCredentials, { accessKeyId: 'AK', secretAccessKey: 'SK' });
    assert.equal(serveOptions([], { WARDEN_SNS_ENDPOINT: 'https://sns.us-east-1.amazonaws.com' }).snsEndpoint, 'https://sns.us-east-1.amazonaws.com');
    assert.equal(serveOptions([], {}).snsEndpoint, undefined);
    assert.throws(() => serveOptions(['--sns-access-key-id', 'AK'], {}), /go together/);
    assert.throws(() => serveOptions(['--sns-endpoint', 'localhost:5000'], {}), /http/);
  });
});

let moto: Moto;
let motoUrl: string;
before(async () => {
  moto = await startMoto();
  motoUrl = moto.url;
});
after(() => moto?.stop());
const topicWithQueue = () => moto.topicWithQueue();
const received = (queueUrl: string) => moto.received(queueUrl);

for (const backend of BACKENDS) {
  describe(`SNS delivery through moto_server (${backend})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-sns-'));
    const schema = freshSchema();
    let store: Store;
    const workers: SnsDelivery[] = [];
    const reports: { key: OutboxExecutionKey; outcome: DeliveryOutcome; stateInTx?: string }[] = [];
    const scope: ActionScope = { accountId: '000000000000', region: 'us-east-1', clock: systemClock };

    before(async () => {
      store = await Store.open({ dataDir, databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined });
    });
    after(async () => {
      for (const w of workers) await w.close();
      await store?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    const worker = (o: { endpoint?: string; clock?: Clock; batchSize?: number } = {}): SnsDelivery => {
      const w = startSnsDelivery({
        store,
        log: silent,
        clock: o.clock ?? systemClock,
        endpoint: o.endpoint ?? motoUrl,
        region: 'us-east-1',
        credentials: CREDS,
        idleMs: 20,
        backoffMs: 20,
        batchSize: o.batchSize,
        attemptsPerRound: 2,
        onDelivered: async (tx, key, outcome) => {
          const rows = await tx.outbox.list({ limit: 1000 });
          reports.push({ key, outcome, stateInTx: rows.find((r) => r.key.targetId === key.targetId && r.key.taskId === key.taskId)?.state });
        },
      });
      workers.push(w);
      return w;
    };
    /** Writes one message as the engine's execution would; returns its id and key. */
    const publish = async (topicArn: string) => {
      const action = def({ publishFindingToSnsParams: { topicArn } });
      const subject = finding({ deviceCertificateId: 'cd'.repeat(32) });
      const outcome = await store.transaction((tx) => handlers.PUBLISH_FINDING_TO_SNS(tx, scope, action, subject));
      assert.deepEqual(outcome, { status: 'PENDING' });
      const targetId = subject.kind === 'finding' ? subject.finding.findingId! : '';
      const key: OutboxExecutionKey = { accountId: scope.accountId, region: scope.region, kind: 'audit', taskId: subject.taskId, targetId, actionName: action.name };
      return (await store.repos.outbox.get(snsMessageId(key)))!;
    };
    const reportFor = (taskId: string) => until(`the delivery report of ${taskId}`, async () => reports.find((r) => r.key.taskId === taskId));

    test('a message reaches the subscribed queue with its wardenMessageId; the execution is reported SUCCEEDED in the same transaction', async () => {
      const { topicArn, queueUrl } = await topicWithQueue();
      const row = await publish(topicArn);
      const w = worker();
      const report = await reportFor(row.key.taskId);
      assert.deepEqual(report.outcome, { status: 'SUCCEEDED' });
      assert.deepEqual(report.key, row.key);
      assert.equal(report.stateInTx, 'DELIVERED');
      const [note] = await received(queueUrl);
      assert.equal(note.TopicArn, topicArn);
      assert.equal(note.Message, row.message);
      assert.equal(JSON.parse(note.Message).finding.findingId, row.key.targetId);
      assert.deepEqual(note.MessageAttributes.wardenMessageId, { Type: 'String', Value: row.messageId });
      const stored = (await store.repos.outbox.get(row.messageId))!;
      assert.equal(stored.state, 'DELIVERED');
      assert.equal(stored.snsMessageId, note.MessageId);
      assert.equal(stored.attempts, 1);
      await w.close();
    });

    test('a topic SNS does not know fails the execution with SNS_TOPIC_NOT_FOUND', async () => {
      const topicArn = `arn:aws:sns:us-east-1:123456789012:${unique('missing')}`;
      const row = await publish(topicArn);
      const w = worker();
      const report = await reportFor(row.key.taskId);
      assert.equal(report.outcome.status, 'FAILED');
      assert.equal(report.outcome.status === 'FAILED' && report.outcome.errorCode, 'SNS_TOPIC_NOT_FOUND');
      assert.match(report.outcome.status === 'FAILED' ? report.outcome.message : '', new RegExp(`topic ${topicArn} does not exist`));
      const stored = (await store.repos.outbox.get(row.messageId))!;
      assert.equal(stored.state, 'FAILED');
      assert.equal(stored.errorCode, 'SNS_TOPIC_NOT_FOUND');
      await w.close();
    });

    test('an unreachable SNS is retried with backoff; a new worker delivers what the closed one left', async () => {
      const { topicArn, queueUrl } = await topicWithQueue();
      const row = await publish(topicArn);
      const down = worker({ endpoint: `http://127.0.0.1:${await freePort()}` });
      const retried = await until('a failed attempt', async () => {
        const r = await store.repos.outbox.get(row.messageId);
        return r && r.attempts >= 2 ? r : undefined;
      });
      assert.equal(retried.state, 'PENDING');
      assert.match(retried.lastError ?? '', /ECONNREFUSED|connect/i);
      assert.ok(!reports.some((r) => r.key.taskId === row.key.taskId), 'a transient failure reports nothing');
      await down.close();
      const up = worker();
      assert.deepEqual((await reportFor(row.key.taskId)).outcome, { status: 'SUCCEEDED' });
      const notes = await received(queueUrl);
      assert.deepEqual(notes.map((n) => n.MessageAttributes.wardenMessageId.Value), [row.messageId]);
      await up.close();
    });

    test('three workers share the outbox: every message is published and reported exactly once', async () => {
      const { topicArn, queueUrl } = await topicWithQueue();
      const rows = [];
      for (let i = 0; i < 20; i++) rows.push(await publish(topicArn));
      const three = [worker({ batchSize: 1 }), worker({ batchSize: 1 }), worker({ batchSize: 1 })];
      for (const r of rows) await reportFor(r.key.taskId);
      const ids = new Set(rows.map((r) => r.key.taskId));
      const seen: string[] = [];
      while (seen.length < 20) seen.push(...(await received(queueUrl)).map((n) => n.MessageAttributes.wardenMessageId.Value));
      await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive by now
      seen.push(...((await moto.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))).Messages ?? []).map((m) => JSON.parse(m.Body!).MessageAttributes.wardenMessageId.Value));
      assert.deepEqual(seen.sort(), rows.map((r) => r.messageId).sort());
      assert.equal(reports.filter((r) => ids.has(r.key.taskId)).length, 20);
      await Promise.all(three.map((w) => w.close()));
    });

    test('a message leased by a worker that died is delivered by another once the lease is over', async () => {
      const { topicArn, queueUrl } = await topicWithQueue();
      const row = await publish(topicArn);
      const clock = new ManualClock(new Date());
      await store.transaction((tx) => tx.outbox.claim({ now: clock.now(), owner: 'dead-node', leaseUntil: new Date(clock.now().getTime() + 30_000), limit: 1000 }));
      const w = worker({ clock });
      if (backend === 'postgres') {
        // Other nodes may still be alive: the lease is respected until it runs out.
        await new Promise((r) => setTimeout(r, 500));
        assert.equal((await store.repos.outbox.get(row.messageId))!.state, 'PENDING');
        clock.advance(31_000);
      } // SQLite: one node owns the database, so a starting worker takes back every lease at once.
      assert.deepEqual((await reportFor(row.key.taskId)).outcome, { status: 'SUCCEEDED' });
      const [note] = await received(queueUrl);
      assert.equal(note.MessageAttributes.wardenMessageId.Value, row.messageId);
      await w.close();
    });
  });
}
