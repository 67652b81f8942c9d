// Device Defender over the broker, both backends, in process with a ManualClock: metrics reports
// published to `$aws/things/{thingName}/defender/metrics/{json|cbor}` are evaluated by Detect and
// answered on `/accepted` or `/rejected`; subscription lifecycle events; the broker's own counts of
// real MQTT traffic feed the cloud-side metrics, so a flooding device raises an
// aws:num-messages-sent violation, a detect mitigation task quarantines it, and the quarantine
// group's deny policy stops its next publish.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AttachPolicyCommand,
  AttachSecurityProfileCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateSecurityProfileCommand,
  CreateThingCommand,
  ListActiveViolationsCommand,
  ListThingGroupsForThingCommand,
  StartDetectMitigationActionsTaskCommand,
  type Behavior,
} from '@aws-sdk/client-iot';
import { Encoder, decode as decodeCborX } from 'cbor-x';
import type mqtt from 'mqtt';
import { createServer, ManualClock, type WardenServer } from '../../src/index.js';
import { connectDevice, type Device } from './devices.js';
import { BACKENDS, dropSchema, freshSchema, iot, PG_BASE } from '../harness.js';
import { action, group, waitDetect } from '../operations/mitigation-helpers.js';

const MINUTE = 60_000;
const PERIOD = 5 * MINUTE;
const DAY = 24 * 60 * MINUTE;
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const arn = (kind: string, name: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${kind}/${name}`;
const THING = '${iot:Connection.Thing.ThingName}';

/** Devices: connect as their thing, publish under things/<thing>/, report metrics and read the answers of their own thing only. */
const DEVICE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', THING) },
    { Effect: 'Allow', Action: 'iot:Publish', Resource: [arn('topic', `things/${THING}/*`), arn('topic', `$aws/things/${THING}/defender/metrics/*`)] },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: [arn('topicfilter', `$aws/things/${THING}/defender/metrics/*`), arn('topicfilter', `things/${THING}/*`)] },
    { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic', `$aws/things/${THING}/defender/metrics/*`) },
  ],
});
const OPEN_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });
const DENY_PUBLISH = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:Publish', Resource: '*' }] });

const bytesOut: Behavior = { name: 'bytes-out', metric: 'aws:all-bytes-out', criteria: { comparisonOperator: 'less-than-equals', value: { count: 10_000 }, durationSeconds: 300 } };
const sent: Behavior = { name: 'messages-sent', metric: 'aws:num-messages-sent', criteria: { comparisonOperator: 'less-than-equals', value: { count: 50 }, durationSeconds: 300 } };
const failures: Behavior = { name: 'auth-failures', metric: 'aws:num-authorization-failures', criteria: { comparisonOperator: 'less-than', value: { count: 1 }, durationSeconds: 300 } };
const size: Behavior = { name: 'message-size', metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'less-than-equals', value: { count: 1000 } } };

const report = (id: number, out: number) =>
  JSON.stringify({ header: { report_id: id, version: '1.0' }, metrics: { network_stats: { bytes_in: 100, bytes_out: out, packets_in: 1, packets_out: 1 } } });

for (const backend of BACKENDS) {
  describe(`Device Defender over MQTT (${backend})`, () => {
    // A period starts 10 s after the clock's start.
    const clock = new ManualClock(new Date(Math.floor(Date.now() / PERIOD) * PERIOD + 10_000));
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-defender-'));
    const schema = freshSchema();
    let server: WardenServer;
    let client: ReturnType<typeof iot>;
    let ca = '';
    const open: mqtt.MqttClient[] = [];
    let reportId = 1;

    const connect = (d: Device, clientId: string): Promise<mqtt.MqttClient> => connectDevice({ port: server.mqtt!.port, ca, open }, d, clientId);
    /** A thing with an ACTIVE certificate attached, under `policy`, connected as the thing. */
    const device = async (thingName: string, policy = 'device'): Promise<mqtt.MqttClient> => {
      const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await client.send(new CreateThingCommand({ thingName }));
      await client.send(new AttachThingPrincipalCommand({ thingName, principal: r.certificateArn! }));
      await client.send(new AttachPolicyCommand({ policyName: policy, target: r.certificateArn! }));
      return connect({ cert: r.certificatePem!, key: r.keyPair!.PrivateKey! }, thingName);
    };
    /** A client allowed everything (no thing), collecting what arrives on `filter`. */
    const listen = async (filter: string) => {
      const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await client.send(new AttachPolicyCommand({ policyName: 'open', target: r.certificateArn! }));
      const c = await connect({ cert: r.certificatePem!, key: r.keyPair!.PrivateKey! }, `listener-${Math.random().toString(36).slice(2, 8)}`);
      const messages: { topic: string; payload: Buffer }[] = [];
      c.on('message', (topic, payload) => messages.push({ topic, payload }));
      await c.subscribeAsync(filter, { qos: 1 });
      return { messages, c };
    };
    /** The next message on `topic` that `c` receives. */
    const next = (c: mqtt.MqttClient, topic: string, ms = 5000): Promise<Buffer> =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`nothing on ${topic} within ${ms} ms`)), ms);
        const on = (got: string, payload: Buffer) => {
          if (got !== topic) return;
          clearTimeout(t);
          c.off('message', on);
          resolve(payload);
        };
        c.on('message', on);
      });
    const until = async (what: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
      const end = Date.now() + ms;
      while (!(await what())) {
        if (Date.now() > end) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const violations = async (thingName: string) =>
      ((await client.send(new ListActiveViolationsCommand({ thingName }))).activeViolations ?? []).map((v) => v.behavior?.name).sort();
    /** Ends the clock's period: what the broker counted is written and Detect evaluates the period. */
    const endPeriod = async () => {
      await server.mqtt!.flush();
      clock.set(new Date(Math.floor(clock.now().getTime() / PERIOD) * PERIOD + PERIOD + 10_000));
      await server.detector.cloudSettled();
    };

    before(async () => {
      server = await createServer({
        port: 0,
        clock,
        dataDir,
        databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined,
        logLevel: 'silent',
        mqtt: { port: 0 },
        detectThrottle: false,
        skewMs: 30 * DAY,
      });
      const url = await server.listen();
      client = iot(url);
      ca = await (await fetch(`${url}/_warden/ca.pem`)).text();
      await client.send(new CreatePolicyCommand({ policyName: 'device', policyDocument: DEVICE_POLICY }));
      await client.send(new CreatePolicyCommand({ policyName: 'open', policyDocument: OPEN_POLICY }));
      await client.send(new CreatePolicyCommand({ policyName: 'no-publish', policyDocument: DENY_PUBLISH }));
      await group(client, 'quarantine');
      await client.send(new AttachPolicyCommand({ policyName: 'no-publish', target: arn('thinggroup', 'quarantine') }));
      await action(client, 'isolate', { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } });
      await client.send(new CreateSecurityProfileCommand({ securityProfileName: 'mqtt-rules', behaviors: [bytesOut, sent, failures, size] }));
      await client.send(new AttachSecurityProfileCommand({ securityProfileName: 'mqtt-rules', securityProfileTargetArn: arn('all', 'registered-things') }));
    });
    after(async () => {
      for (const c of open) c.end(true);
      client?.destroy();
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    test('a JSON report on the reserved topic is accepted and evaluated; a bad one is rejected and stores nothing; neither reaches subscribers of the topic', async () => {
      const d = await device('reporter');
      const { messages } = await listen('$aws/things/reporter/defender/metrics/json');
      await d.subscribeAsync('$aws/things/reporter/defender/metrics/json/+', { qos: 1 });

      const accepted = next(d, '$aws/things/reporter/defender/metrics/json/accepted');
      const id = reportId++;
      await d.publishAsync('$aws/things/reporter/defender/metrics/json', report(id, 50_000), { qos: 1 });
      assert.deepEqual(JSON.parse((await accepted).toString()), { thingName: 'reporter', reportId: id, status: 'ACCEPTED' });
      assert.deepEqual(await violations('reporter'), ['bytes-out']);

      const rejected = next(d, '$aws/things/reporter/defender/metrics/json/rejected');
      await d.publishAsync('$aws/things/reporter/defender/metrics/json', JSON.stringify({ header: { report_id: reportId++ }, metrics: { network_stats: { bytes_out: 'lots' } } }), { qos: 1 });
      const answer = JSON.parse((await rejected).toString());
      assert.equal(answer.status, 'REJECTED');
      assert.equal(answer.thingName, 'reporter');
      assert.equal(answer.statusDetails.ErrorCode, 'InvalidPayload');
      assert.match(answer.statusDetails.ErrorMessage, /version|bytes_out/);

      // Five minutes on, a report with a small value clears the violation (the behavior sums 300 s):
      // the rejected one changed nothing in between.
      clock.advance(PERIOD);
      const cleared = next(d, '$aws/things/reporter/defender/metrics/json/accepted');
      await d.publishAsync('$aws/things/reporter/defender/metrics/json', report(reportId++, 10), { qos: 1 });
      await cleared;
      assert.deepEqual(await violations('reporter'), []);
      assert.equal(messages.length, 0, 'a metrics report is not delivered to subscribers of its topic');
    });

    test('a CBOR report is answered in CBOR on the cbor topic', async () => {
      const d = await device('cbor-reporter');
      await d.subscribeAsync('$aws/things/cbor-reporter/defender/metrics/cbor/+', { qos: 1 });
      const accepted = next(d, '$aws/things/cbor-reporter/defender/metrics/cbor/accepted');
      const id = reportId++;
      const body = new Encoder({ useRecords: false }).encode({ hed: { rid: id, v: '1.0' }, met: { ns: { bi: 1, bo: 20_000, pi: 1, po: 1 } } });
      await d.publishAsync('$aws/things/cbor-reporter/defender/metrics/cbor', body, { qos: 1 });
      assert.deepEqual(decodeCborX(await accepted), { thingName: 'cbor-reporter', reportId: id, status: 'ACCEPTED' });
      assert.deepEqual(await violations('cbor-reporter'), ['bytes-out']);

      const rejected = next(d, '$aws/things/cbor-reporter/defender/metrics/cbor/rejected');
      await d.publishAsync('$aws/things/cbor-reporter/defender/metrics/cbor', Buffer.from([0xa1, 0x63]), { qos: 1 });
      const answer = decodeCborX(await rejected) as { status: string; statusDetails: { ErrorCode: string } };
      assert.equal(answer.status, 'REJECTED');
      assert.equal(answer.statusDetails.ErrorCode, 'InvalidPayload');
    });

    test('a device may not publish to the answer topics, nor report for a thing its policy does not name', async () => {
      const d = await device('impostor');
      const closed = new Promise<void>((resolve) => d.once('close', () => resolve()));
      d.publish('$aws/things/impostor/defender/metrics/json/accepted', '{}', { qos: 0 });
      await closed;
      const e = await device('impostor-2');
      const closed2 = new Promise<void>((resolve) => e.once('close', () => resolve()));
      e.publish('$aws/things/reporter/defender/metrics/json', report(reportId++, 99_999), { qos: 0 });
      await closed2;
      assert.deepEqual(await violations('reporter'), [], 'the refused report was not evaluated');
    });

    test('subscription lifecycle events name the topics subscribed and unsubscribed', async () => {
      const { messages } = await listen('$aws/events/subscriptions/+/+');
      const d = await device('subscriber');
      // A refused filter (another thing's topics) is not named.
      await d.subscribeAsync(['things/subscriber/a', 'things/other/x', 'things/subscriber/b'], { qos: 0 }).catch(() => undefined);
      await d.unsubscribeAsync('things/subscriber/a');
      const mine = () => messages.map((m) => ({ topic: m.topic, body: JSON.parse(m.payload.toString()) })).filter((m) => m.body.clientId === 'subscriber');
      await until(() => mine().length >= 2);
      const [sub, unsub] = mine();
      assert.equal(sub.topic, '$aws/events/subscriptions/subscribed/subscriber');
      assert.equal(sub.body.eventType, 'subscribed');
      assert.equal(sub.body.clientId, 'subscriber');
      assert.deepEqual(sub.body.topics, ['things/subscriber/a', 'things/subscriber/b']);
      assert.match(sub.body.sessionIdentifier, /^[0-9a-f]{32}$/);
      assert.match(sub.body.principalIdentifier, /^[0-9a-f]{64}$/);
      assert.equal(unsub.topic, '$aws/events/subscriptions/unsubscribed/subscriber');
      assert.deepEqual(unsub.body.topics, ['things/subscriber/a']);
      assert.equal(unsub.body.sessionIdentifier, sub.body.sessionIdentifier);
    });

    test('real traffic feeds the cloud-side metrics: a flooding device is in violation, quarantined by a detect mitigation task, and its next publish is refused', async () => {
      await endPeriod(); // a period of its own, free of the other tests' traffic
      const flood = await device('flood');
      const calm = await device('calm');
      for (let i = 0; i < 60; i++) await flood.publishAsync('things/flood/data', `message ${i}`, { qos: i % 2 === 0 ? 0 : 1 });
      for (let i = 0; i < 5; i++) await calm.publishAsync('things/calm/data', 'x'.repeat(100), { qos: 1 });
      await calm.publishAsync('things/calm/big', 'x'.repeat(1001), { qos: 1 });
      // A refused subscribe: SUBACK 0x80 on MQTT 3.1.1, counted as an authorization failure.
      const granted = await calm.subscribeAsync('things/flood/data', { qos: 0 }).then(
        () => assert.fail('the grant should be 0x80'),
        (e: Error & { packet?: { granted?: number[] } }) => e.packet?.granted,
      );
      assert.deepEqual(granted, [128]);

      await endPeriod();
      assert.deepEqual(await violations('flood'), ['messages-sent']);
      assert.deepEqual(await violations('calm'), ['auth-failures', 'message-size']);
      const [v] = (await client.send(new ListActiveViolationsCommand({ thingName: 'flood' }))).activeViolations!;
      assert.deepEqual(v.lastViolationValue, { count: 60 });

      await client.send(new StartDetectMitigationActionsTaskCommand({ taskId: 'quarantine-flood', target: { violationIds: [v.violationId!] }, actions: ['isolate'] }));
      assert.equal((await waitDetect(client, 'quarantine-flood')).taskStatus, 'SUCCESSFUL');
      const groups = ((await client.send(new ListThingGroupsForThingCommand({ thingName: 'flood' }))).thingGroups ?? []).map((g) => g.groupName);
      assert.deepEqual(groups, ['quarantine']);

      const { messages } = await listen('things/flood/#');
      const closed = new Promise<void>((resolve) => flood.once('close', () => resolve()));
      flood.publish('things/flood/data', 'after quarantine', { qos: 0 });
      await closed;
      // The calm device still publishes.
      const { messages: calmSeen } = await listen('things/calm/#');
      await calm.publishAsync('things/calm/data', 'still here', { qos: 1 });
      await until(() => calmSeen.length === 1);
      assert.equal(messages.length, 0, 'the quarantined device published nothing');

      // The next period: the flood device was refused once more (its publish), connected once and disconnected once.
      await endPeriod();
      assert.deepEqual(await violations('flood'), ['auth-failures']);
    });
  });
}
