// Cloud-side Detect end to end, in process with a ManualClock, on both backends: activity recorded
// through the signed POST /_warden/cloud-metrics, evaluated once its 5-minute period has ended
// (never before), with TOPIC_FILTER dimensions (IN and NOT_IN), durations over two periods, the
// message size, the source address; alarm-cleared in the next period; a thing's period evaluated
// whole however many recordings it has; bad bodies refused whole.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AttachSecurityProfileCommand,
  CreateDimensionCommand,
  CreateSecurityProfileCommand,
  CreateThingCommand,
  ListActiveViolationsCommand,
  ListViolationEventsCommand,
  UpdateDimensionCommand,
  type Behavior,
} from '@aws-sdk/client-iot';
import { createServer, ManualClock, type WardenServer } from '../../src/index.js';
import { BACKENDS, dropSchema, freshSchema, iot, PG_BASE, raw } from '../harness.js';
import { group } from '../operations/mitigation-helpers.js';

const MINUTE = 60_000;
const PERIOD = 5 * MINUTE;
const DAY = 24 * 60 * MINUTE;
const GROUP_ARN = 'arn:aws:iot:us-east-1:000000000000:thinggroup/cloud-fleet';

const behaviors: Behavior[] = [
  { name: 'telemetry-rate', metric: 'aws:num-messages-sent', metricDimension: { dimensionName: 'telemetry' }, criteria: { comparisonOperator: 'less-than-equals', value: { count: 10 }, durationSeconds: 300 } },
  { name: 'other-rate', metric: 'aws:num-messages-sent', metricDimension: { dimensionName: 'telemetry', operator: 'NOT_IN' }, criteria: { comparisonOperator: 'less-than-equals', value: { count: 2 }, durationSeconds: 300 } },
  { name: 'max-size', metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'less-than-equals', value: { count: 1024 } } },
  { name: 'auth-failures', metric: 'aws:num-authorization-failures', criteria: { comparisonOperator: 'less-than', value: { count: 3 }, durationSeconds: 600 } },
  { name: 'source', metric: 'aws:source-ip-address', criteria: { comparisonOperator: 'in-cidr-set', value: { cidrs: ['10.0.0.0/8'] } } },
  { name: 'received', metric: 'aws:num-messages-received', criteria: { comparisonOperator: 'less-than', value: { count: 100 }, durationSeconds: 300 } },
];

for (const backend of BACKENDS) {
  describe(`Detect cloud-side metrics end to end (${backend})`, () => {
    // A period starts 10 s after the clock's start.
    const clock = new ManualClock(new Date(Math.floor(Date.now() / PERIOD) * PERIOD + 10_000));
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-cloud-'));
    const schema = freshSchema();
    let server: WardenServer;
    let url: string;
    let client: ReturnType<typeof iot>;
    const post = (body: unknown) => raw(url, { method: 'POST', path: '/_warden/cloud-metrics', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const active = async () =>
      ((await client.send(new ListActiveViolationsCommand({}))).activeViolations ?? []).map((v) => `${v.thingName}/${v.behavior?.name}=${JSON.stringify(v.lastViolationValue)}`).sort();
    const events = async () =>
      ((await client.send(new ListViolationEventsCommand({ startTime: new Date(0), endTime: new Date(clock.now().getTime() + DAY) }))).violationEvents ?? [])
        .map((e) => `${e.thingName}/${e.behavior?.name}/${e.violationEventType}`)
        .sort();
    /** The next period begins (and its grace passes): the ended one is evaluated. */
    const nextPeriod = async () => {
      clock.set(new Date(Math.floor(clock.now().getTime() / PERIOD) * PERIOD + PERIOD + 10_000));
      await server.detector.cloudSettled();
    };

    before(async () => {
      server = await createServer({
        port: 0,
        clock,
        dataDir,
        databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined,
        logLevel: (process.env.LOG as 'silent') ?? 'silent',
        skewMs: 30 * DAY,
      });
      url = await server.listen();
      client = iot(url);
      for (const t of ['c1', 'c2', 'c3', 'c4', 'c5']) await client.send(new CreateThingCommand({ thingName: t }));
      await group(client, 'cloud-fleet', ['c1', 'c2', 'c3', 'c4', 'c5']);
      await client.send(new CreateDimensionCommand({ name: 'telemetry', type: 'TOPIC_FILTER', stringValues: ['telemetry/#'], clientRequestToken: 'dim-1' }));
      await client.send(new CreateSecurityProfileCommand({ securityProfileName: 'cloud-rules', behaviors }));
      await client.send(new AttachSecurityProfileCommand({ securityProfileName: 'cloud-rules', securityProfileTargetArn: GROUP_ARN }));
    });
    after(async () => {
      client?.destroy();
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    test('activity is evaluated once its period has ended, each behavior over its own topics', async () => {
      const first = await post({
        activities: [
          { thingName: 'c1', messagesSent: [{ topic: 'telemetry/temp', bytes: 100, count: 15 }, { topic: 'telemetry', bytes: 90, count: 5 }], connectionAttempts: 1, sourceIps: ['10.1.2.3'] },
          { thingName: 'c2', messagesSent: [{ topic: 'telemetry/a', bytes: 10, count: 5 }, { topic: 'cmd/reply', bytes: 10, count: 3 }], sourceIps: ['10.9.9.9'] },
          { thingName: 'c3', messagesSent: [{ topic: 'telemetry/x', bytes: 2000 }, { topic: 'telemetry/x', bytes: 12 }], sourceIps: ['192.168.1.7', '10.0.0.1'] },
          { thingName: 'c1', authorizationFailures: [{}, { topic: 'admin/x' }] },
        ],
      });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.json, { recorded: 4 });
      // The period has not ended: nothing is evaluated yet.
      clock.advance(4 * MINUTE);
      await server.detector.cloudSettled();
      assert.deepEqual(await active(), []);

      await nextPeriod();
      assert.deepEqual(await active(), [
        'c1/telemetry-rate={"count":20}',
        'c2/other-rate={"count":3}',
        'c3/max-size={"count":2000}',
        'c3/source={"cidrs":["192.168.1.7","10.0.0.1"]}',
      ]);
      const [v] = (await client.send(new ListActiveViolationsCommand({ thingName: 'c1' }))).activeViolations!;
      // The datapoint is the period's, timed at its last millisecond.
      const periodEnd = Math.floor(clock.now().getTime() / PERIOD) * PERIOD;
      assert.equal(v.violationStartTime?.getTime(), periodEnd - 1);
    });

    test('the next period: conforming counts clear, a duration sums two periods, a silent thing stays in alarm', async () => {
      const r = await post({
        activities: [
          { thingName: 'c1', messagesSent: [{ topic: 'telemetry/temp', bytes: 10, count: 3 }], authorizationFailures: [{ topic: 'admin/y' }] },
          { thingName: 'c2', messagesSent: [{ topic: 'cmd/reply', bytes: 10 }], messagesReceived: [{ topic: 'cmd/in', bytes: 5, count: 150 }] },
        ],
      });
      assert.equal(r.status, 200, r.text);
      await nextPeriod();
      assert.deepEqual(await active(), [
        // 2 failures in the first period and 1 in this one: 3 in 600 s.
        'c1/auth-failures={"count":3}',
        'c2/received={"count":150}',
        'c3/max-size={"count":2000}',
        'c3/source={"cidrs":["192.168.1.7","10.0.0.1"]}',
      ]);
      const ev = await events();
      assert.ok(ev.includes('c1/telemetry-rate/alarm-cleared'), ev.join());
      assert.ok(ev.includes('c2/other-rate/alarm-cleared'), ev.join());
      assert.ok(!ev.includes('c3/max-size/alarm-cleared'), ev.join());
    });

    test('a dimension updated: the behavior counts the new topics from the next period on', async () => {
      await client.send(new UpdateDimensionCommand({ name: 'telemetry', stringValues: ['sensors/+/data'] }));
      const r = await post({ activities: [{ thingName: 'c1', messagesSent: [{ topic: 'sensors/s1/data', bytes: 10, count: 11 }, { topic: 'telemetry/temp', bytes: 10, count: 50 }] }] });
      assert.equal(r.status, 200, r.text);
      await nextPeriod();
      const c1 = (await active()).filter((a) => a.startsWith('c1/'));
      // 11 on the dimension's topics now; the 50 on telemetry/temp are other topics (NOT_IN).
      assert.deepEqual(c1, ['c1/other-rate={"count":50}', 'c1/telemetry-rate={"count":11}']);
    });

    test('a thing with more recordings in a period than a round takes is evaluated once, whole', async () => {
      // 2,100 recordings of c4 (a round claims 2,000): the 2,000-byte message is in the first;
      // evaluated in two pieces, the second would see only 10-byte messages and clear the alarm.
      const small = Array.from({ length: 2099 }, () => ({ thingName: 'c4', messagesSent: [{ topic: 'x/y', bytes: 10 }] }));
      const r = await post({ activities: [{ thingName: 'c4', messagesSent: [{ topic: 'x/y', bytes: 2000 }] }, ...small, { thingName: 'c5', messagesSent: [{ topic: 'x/y', bytes: 3000 }] }] });
      assert.equal(r.status, 200, r.text);
      await nextPeriod();
      const now = await active();
      assert.ok(now.includes('c4/max-size={"count":2000}'), now.join());
      assert.ok(now.includes('c4/other-rate={"count":2100}'), now.join());
      assert.ok(now.includes('c5/max-size={"count":3000}'), now.join());
      const c4 = (await events()).filter((e) => e.startsWith('c4/max-size/'));
      assert.deepEqual(c4, ['c4/max-size/in-alarm']);
    });

    test('bad bodies are refused naming the field, and nothing of them is recorded', async () => {
      const before = await active();
      const cases: [unknown, RegExp][] = [
        [{ activities: [{ thingName: 'c2', messagesSent: [{ topic: 'cmd/x', bytes: 1, count: 500 }] }, { thingName: 'c2', messagesSent: [{ topic: 'cmd/+', bytes: 1 }] }] }, /activities\[1\]\.messagesSent\[0\]\.topic.*wildcard/],
        [{ activities: [{ thingName: 'c2', messagesSent: [{ topic: 'cmd/x', bytes: -1 }] }] }, /activities\[0\]\.messagesSent\[0\]\.bytes must be an integer/],
        [{ activities: [{ thingName: 'c2', sourceIps: ['300.1.1.1'] }] }, /activities\[0\]\.sourceIps\[0\] must be an IPv4 or IPv6 address/],
        [{ activities: [{ thingName: 'c\u0007' }] }, /activities\[0\]\.thingName: .*control character/],
        [{ activities: [{ thingName: 'c2', packets: 3 }] }, /activities\[0\]\.packets is not a field/],
        [{ activities: [] }, /activities must have between 1 and 10000 entries/],
        [[1, 2], /must be a JSON object/],
      ];
      for (const [body, message] of cases) {
        const r = await post(body);
        assert.equal(r.status, 400, r.text);
        assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidRequestException');
        assert.match(r.json.message, message);
      }
      const unsigned = await raw(url, { method: 'POST', path: '/_warden/cloud-metrics', body: JSON.stringify({ activities: [{ thingName: 'c2' }] }), unsigned: true });
      assert.equal(unsigned.status, 403);
      await nextPeriod();
      // The first case's valid activity (500 messages from c2) was refused with the rest.
      const now = await active();
      assert.ok(!now.some((a) => a.startsWith('c2/other-rate')), now.join());
      assert.deepEqual(
        now.filter((a) => a.startsWith('c2/')),
        before.filter((a) => a.startsWith('c2/')),
      );
    });
  });
}
