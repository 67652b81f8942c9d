// Detect end to end, in process with a ManualClock, on both backends: a profile attached to a
// thing group, device reports through the signed endpoint, a violation raised by Warden's own
// evaluation (ListActiveViolations, its event, its SNS alert in the outbox), a detect mitigation
// task that quarantines the device, alarm-cleared when it behaves again, alarm-invalidated after two
// silent days, when the behavior is deleted, when the thing leaves the group and when the profile is
// detached; rejected and throttled reports.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AttachSecurityProfileCommand,
  CreateSecurityProfileCommand,
  CreateThingCommand,
  DetachSecurityProfileCommand,
  ListActiveViolationsCommand,
  ListThingGroupsForThingCommand,
  ListViolationEventsCommand,
  RemoveThingFromThingGroupCommand,
  StartDetectMitigationActionsTaskCommand,
  UpdateSecurityProfileCommand,
  type Behavior,
} from '@aws-sdk/client-iot';
import { createServer, ManualClock, type WardenServer } from '../../src/index.js';
import { BACKENDS, dropSchema, freshSchema, iot, PG_BASE, raw, snsMessages } from '../harness.js';
import { action, group, waitDetect } from '../operations/mitigation-helpers.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:detect-alerts';
const GROUP_ARN = 'arn:aws:iot:us-east-1:000000000000:thinggroup/fleet';

const bytesOut: Behavior = { name: 'bytes-out', metric: 'aws:all-bytes-out', criteria: { comparisonOperator: 'less-than-equals', value: { count: 10_000 }, durationSeconds: 300 } };
const ports: Behavior = { name: 'ports', metric: 'aws:listening-tcp-ports', criteria: { comparisonOperator: 'in-port-set', value: { ports: [22, 443] } } };

/** A device metrics report in AWS's long names. */
const report = (id: number, out: number, listening: number[] = [443]) =>
  JSON.stringify({
    header: { report_id: id, version: '1.0' },
    metrics: {
      network_stats: { bytes_in: 100, bytes_out: out, packets_in: 1, packets_out: 1 },
      listening_tcp_ports: { ports: listening.map((port) => ({ port })), total: listening.length },
    },
  });

for (const backend of BACKENDS) {
  describe(`Detect end to end (${backend})`, () => {
    const clock = new ManualClock(new Date());
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-detect-'));
    const schema = freshSchema();
    let server: WardenServer;
    let url: string;
    let client: ReturnType<typeof iot>;
    let reportId = 1;
    const send = (thing: string, body: string | Buffer, format = 'json') =>
      raw(url, { method: 'POST', path: `/_warden/things/${encodeURIComponent(thing)}/defender/metrics/${format}`, body, headers: { 'content-type': 'application/octet-stream' } });
    const active = async () => (await client.send(new ListActiveViolationsCommand({}))).activeViolations ?? [];
    const events = async () =>
      ((await client.send(new ListViolationEventsCommand({ startTime: new Date(0), endTime: new Date(clock.now().getTime() + DAY) }))).violationEvents ?? [])
        .map((e) => `${e.thingName}/${e.behavior?.name}/${e.violationEventType}`)
        .sort();

    before(async () => {
      server = await createServer({
        port: 0,
        clock,
        dataDir,
        databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined,
        logLevel: 'silent',
        enableReset: true,
        // The clock runs days ahead of the signing clients: accept their signatures all the same.
        skewMs: 30 * DAY,
      });
      url = await server.listen();
      client = iot(url);
      for (const t of ['d1', 'd2', 'd3']) await client.send(new CreateThingCommand({ thingName: t }));
      await group(client, 'fleet', ['d1', 'd2', 'd3']);
      await group(client, 'quarantine');
      await action(client, 'isolate', { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } });
      await client.send(
        new CreateSecurityProfileCommand({
          securityProfileName: 'fleet-rules',
          behaviors: [bytesOut, ports],
          alertTargets: { SNS: { alertTargetArn: TOPIC, roleArn: 'arn:aws:iam::000000000000:role/alerts' } },
        }),
      );
      await client.send(new AttachSecurityProfileCommand({ securityProfileName: 'fleet-rules', securityProfileTargetArn: GROUP_ARN }));
    });
    after(async () => {
      client?.destroy();
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    test('a violating report raises a violation with its event and alert; a detect mitigation task quarantines the device', async () => {
      const ok = await send('d1', report(reportId++, 50_000));
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.json, { thingName: 'd1', reportId: reportId - 1, status: 'ACCEPTED' });
      assert.equal((await send('d2', report(reportId++, 500))).status, 200);

      const [v, ...more] = await active();
      assert.equal(more.length, 0);
      assert.equal(v.thingName, 'd1');
      assert.equal(v.securityProfileName, 'fleet-rules');
      assert.deepEqual(v.behavior, bytesOut);
      assert.deepEqual(v.lastViolationValue, { count: 50_000 });
      assert.equal(v.violationStartTime?.getTime(), clock.now().getTime());
      assert.match(v.violationId!, /^[0-9a-f]{32}$/);
      assert.deepEqual(await events(), ['d1/bytes-out/in-alarm']);

      const alerts = (await snsMessages(url, `?topicArn=${encodeURIComponent(TOPIC)}`)).json.messages;
      assert.equal(alerts.length, 1);
      const alert = JSON.parse(alerts[0].message);
      assert.equal(alert.violationEventType, 'in-alarm');
      assert.equal(alert.violationId, v.violationId);
      assert.equal(alert.thingName, 'd1');
      assert.deepEqual(alert.metricValue, { count: 50_000 });
      assert.equal(alert.accountId, '000000000000');

      await client.send(new StartDetectMitigationActionsTaskCommand({ taskId: 'quarantine-outliers', target: { securityProfileName: 'fleet-rules' }, actions: ['isolate'] }));
      const summary = await waitDetect(client, 'quarantine-outliers');
      assert.equal(summary.taskStatus, 'SUCCESSFUL');
      assert.deepEqual(summary.taskStatistics, { actionsExecuted: 1, actionsSkipped: 0, actionsFailed: 0 });
      const groupsOf = async (t: string) => ((await client.send(new ListThingGroupsForThingCommand({ thingName: t }))).thingGroups ?? []).map((g) => g.groupName).sort();
      assert.deepEqual(await groupsOf('d1'), ['fleet', 'quarantine']);
      assert.deepEqual(await groupsOf('d2'), ['fleet']);
    });

    test('the device behaves again: alarm-cleared with the value; a port outside the set opens another violation', async () => {
      clock.advance(5 * MINUTE);
      assert.equal((await send('d1', report(reportId++, 800, [443, 8080]))).status, 200);
      const now = await active();
      assert.deepEqual(
        now.map((v) => [v.thingName, v.behavior?.name, v.lastViolationValue]),
        [['d1', 'ports', { ports: [443, 8080] }]],
      );
      assert.deepEqual(await events(), ['d1/bytes-out/alarm-cleared', 'd1/bytes-out/in-alarm', 'd1/ports/in-alarm']);
      const cleared = (await snsMessages(url, `?topicArn=${encodeURIComponent(TOPIC)}`)).json.messages.map((m: { message: string }) => JSON.parse(m.message));
      assert.deepEqual(cleared.map((a: { violationEventType: string }) => a.violationEventType).sort(), ['alarm-cleared', 'in-alarm', 'in-alarm']);
    });

    test('reports faster than one per 300 s are throttled; malformed reports are rejected naming the field; nothing is evaluated', async () => {
      clock.advance(MINUTE);
      assert.equal((await send('d2', report(reportId++, 500))).status, 200);
      clock.advance(MINUTE);
      const fast = await send('d2', report(reportId++, 99_999));
      assert.equal(fast.status, 400);
      assert.equal(fast.json.status, 'REJECTED');
      assert.equal(fast.json.statusDetails.ErrorCode, 'Throttled');
      assert.match(fast.json.statusDetails.ErrorMessage, /300 seconds/);
      const bad = await send('d3', JSON.stringify({ header: { report_id: 'x', version: '1.0' }, metrics: {} }));
      assert.equal(bad.status, 400);
      assert.equal(bad.json.statusDetails.ErrorCode, 'InvalidPayload');
      assert.match(bad.json.statusDetails.ErrorMessage, /report_id/);
      const cbor = await send('d3', Buffer.from([0xa1, 0x61]), 'cbor');
      assert.equal(cbor.status, 400);
      assert.equal(cbor.json.status, 'REJECTED');
      const badName = await send('d\u0001', report(reportId++, 1));
      assert.equal(badName.status, 400);
      assert.match(badName.json.statusDetails.ErrorMessage, /control/i);
      assert.deepEqual((await active()).map((v) => v.thingName), ['d1']);
      const unsigned = await raw(url, { method: 'POST', path: '/_warden/things/d3/defender/metrics/json', body: report(reportId++, 1), unsigned: true });
      assert.equal(unsigned.status, 403);
    });

    test('two silent days invalidate the open violation; deleting a behavior invalidates its violations', async () => {
      clock.advance(5 * MINUTE);
      assert.equal((await send('d3', report(reportId++, 20_000))).status, 200);
      assert.deepEqual((await active()).map((v) => `${v.thingName}/${v.behavior?.name}`).sort(), ['d1/ports', 'd3/bytes-out']);
      // d3 keeps reporting; d1 falls silent.
      for (let i = 0; i < 10; i++) {
        clock.advance(5 * 60 * MINUTE);
        assert.equal((await send('d3', report(reportId++, 20_000))).status, 200);
      }
      await server.detector.sweepNow();
      assert.deepEqual((await active()).map((v) => `${v.thingName}/${v.behavior?.name}`), ['d3/bytes-out']);
      assert.ok((await events()).includes('d1/ports/alarm-invalidated'));

      await client.send(new UpdateSecurityProfileCommand({ securityProfileName: 'fleet-rules', behaviors: [ports] }));
      assert.deepEqual(await active(), []);
      assert.ok((await events()).includes('d3/bytes-out/alarm-invalidated'));
    });

    test('a thing that leaves the group: its next report ends its violations, alarm-invalidated', async () => {
      clock.advance(5 * MINUTE);
      assert.equal((await send('d2', report(reportId++, 500, [443, 3389]))).status, 200);
      assert.deepEqual((await active()).map((v) => `${v.thingName}/${v.behavior?.name}`), ['d2/ports']);
      await client.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'fleet', thingName: 'd2' }));
      clock.advance(5 * MINUTE);
      assert.equal((await send('d2', report(reportId++, 500, [443, 3389]))).status, 200);
      assert.deepEqual(await active(), []);
      assert.ok((await events()).includes('d2/ports/alarm-invalidated'));
    });

    test('the profile detached from the group: its violations end at once, alarm-invalidated, with their alert', async () => {
      clock.advance(5 * MINUTE);
      assert.equal((await send('d3', report(reportId++, 500, [443, 8080]))).status, 200);
      assert.deepEqual((await active()).map((v) => `${v.thingName}/${v.behavior?.name}`), ['d3/ports']);
      const [open] = await active();
      await client.send(new DetachSecurityProfileCommand({ securityProfileName: 'fleet-rules', securityProfileTargetArn: GROUP_ARN }));
      // No report needed: the detach itself ends them.
      assert.deepEqual(await active(), []);
      assert.ok((await events()).includes('d3/ports/alarm-invalidated'));
      const alerts = (await snsMessages(url, `?topicArn=${encodeURIComponent(TOPIC)}`)).json.messages.map((m: { message: string }) => JSON.parse(m.message));
      const ended = alerts.filter((a: { violationId: string; violationEventType: string }) => a.violationId === open.violationId && a.violationEventType === 'alarm-invalidated');
      assert.equal(ended.length, 1, JSON.stringify(alerts.map((a: { violationEventType: string; thingName: string }) => `${a.thingName}/${a.violationEventType}`)));
      // The thing is no longer covered: its next violating report raises nothing.
      clock.advance(5 * MINUTE);
      assert.equal((await send('d3', report(reportId++, 500, [443, 8080]))).status, 200);
      assert.deepEqual(await active(), []);
    });
  });
}
