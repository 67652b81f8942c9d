// ML Detect end to end, in process with a ManualClock, on both backends, with small training
// minimums (2 days, 200 datapoints): a fleet of 30 devices reporting normal bytes out trains its
// model (GetBehaviorModelTrainingSummaries: PENDING_BUILD with a rising percentage, then ACTIVE with
// lastModelRefreshDate once the sweep has rebuilt it after the training days); a device that sends
// 50 times its usual bytes gets an in-alarm violation carrying its confidenceLevel, the others none;
// it returns to normal and the violation clears. A behavior whose metric changes trains anew; a
// deleted profile's training is forgotten. Then the summaries' filters, pages and errors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AttachSecurityProfileCommand,
  CreateSecurityProfileCommand,
  CreateThingCommand,
  DeleteSecurityProfileCommand,
  GetBehaviorModelTrainingSummariesCommand,
  ListActiveViolationsCommand,
  ListViolationEventsCommand,
  UpdateSecurityProfileCommand,
  type Behavior,
  type BehaviorModelTrainingSummary,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { serveOptions } from '../../src/cli/serve.js';
import { ConfigError, createServer, ManualClock, type WardenServer } from '../../src/index.js';
import { assertFails, BACKENDS, dropSchema, freshSchema, iot, PG_BASE, raw, snsMessages } from '../harness.js';
import { group } from '../operations/mitigation-helpers.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:ml-alerts';
const GROUP_ARN = 'arn:aws:iot:us-east-1:000000000000:thinggroup/ml-fleet';
const DEVICES = Array.from({ length: 30 }, (_, i) => `dev-${String(i).padStart(2, '0')}`);

const mlBytesOut: Behavior = { name: 'ml-bytes-out', metric: 'aws:all-bytes-out', criteria: { mlDetectionConfig: { confidenceLevel: 'MEDIUM' } } };

/** A device metrics report in AWS's long names. */
const report = (id: number, bytesOut: number, packetsOut = 10) =>
  JSON.stringify({
    header: { report_id: id, version: '1.0' },
    metrics: { network_stats: { bytes_in: 100, bytes_out: bytesOut, packets_in: 1, packets_out: packetsOut } },
  });

/** A device's normal bytes out in a round: 800 to 1,200, different per device and round. */
const normal = (device: number, round: number) => 1000 + (((device * 37 + round * 11) % 41) - 20) * 10;

async function summaries(client: IoTClient, securityProfileName?: string): Promise<BehaviorModelTrainingSummary[]> {
  return (await client.send(new GetBehaviorModelTrainingSummariesCommand({ securityProfileName }))).summaries ?? [];
}

/** Opens a server on a fresh database of the backend (or on `schema`, shared), with the given clock and ML minimums. */
async function open(backend: string, clock: ManualClock, detectMl?: { trainingDays?: number; minDatapoints?: number }, shared?: { schema: string; engine: boolean }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-ml-'));
  const schema = shared?.schema ?? freshSchema();
  const server = await createServer({
    port: 0,
    clock,
    dataDir,
    databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined,
    logLevel: 'silent',
    // The clock runs days ahead of the signing clients: accept their signatures all the same.
    skewMs: 30 * DAY,
    detectMl,
    engine: shared?.engine,
  });
  const url = await server.listen();
  return {
    server,
    url,
    schema,
    client: iot(url),
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres' && !shared) await dropSchema(schema);
    },
  };
}

for (const backend of BACKENDS) {
  describe(`ML Detect end to end (${backend})`, () => {
    // One hour into a UTC day, so the first days' reports all fall on one day.
    const T0 = Math.floor(Date.now() / DAY) * DAY + 60 * MINUTE;
    const clock = new ManualClock(new Date(T0));
    let env: Awaited<ReturnType<typeof open>>;
    let server: WardenServer;
    let client: IoTClient;
    let url: string;
    let reportId = 1;
    let round = 0;
    const send = (thing: string, body: string) =>
      raw(url, { method: 'POST', path: `/_warden/things/${encodeURIComponent(thing)}/defender/metrics/json`, body, headers: { 'content-type': 'application/octet-stream' } });
    /** One report from every device (5 minutes after the last round); `odd` gives some devices other bytes out. */
    const fleetRound = async (odd: Record<string, number> = {}, packetsOut = 10) => {
      clock.advance(5 * MINUTE);
      round++;
      const answers = await Promise.all(DEVICES.map((d, i) => send(d, report(reportId++, odd[d] ?? normal(i, round), packetsOut))));
      for (const a of answers) assert.equal(a.status, 200, a.text);
    };
    const active = async (behaviorCriteriaType?: 'MACHINE_LEARNING' | 'STATIC') =>
      (await client.send(new ListActiveViolationsCommand({ behaviorCriteriaType }))).activeViolations ?? [];
    const events = async () =>
      (await client.send(new ListViolationEventsCommand({ startTime: new Date(0), endTime: new Date(clock.now().getTime() + DAY) }))).violationEvents ?? [];
    const only = async () => {
      const [s, ...more] = await summaries(client, 'fleet-ml');
      assert.equal(more.length, 0);
      return s;
    };
    const count = async (table: string) => Number(((await server.store.db.get(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number | string }).n);

    before(async () => {
      env = await open(backend, clock, { trainingDays: 2, minDatapoints: 200 });
      ({ server, client, url } = env);
      for (const t of DEVICES) await client.send(new CreateThingCommand({ thingName: t }));
      await group(client, 'ml-fleet', DEVICES);
      await client.send(
        new CreateSecurityProfileCommand({
          securityProfileName: 'fleet-ml',
          behaviors: [mlBytesOut],
          alertTargets: { SNS: { alertTargetArn: TOPIC, roleArn: 'arn:aws:iam::000000000000:role/alerts' } },
        }),
      );
      await client.send(new AttachSecurityProfileCommand({ securityProfileName: 'fleet-ml', securityProfileTargetArn: GROUP_ARN }));
    });
    after(async () => {
      client?.destroy();
      await env?.close();
    });

    test('before any datapoint the behavior is PENDING_BUILD at 0 %, with no collection date', async () => {
      assert.deepEqual(await summaries(client), [
        { securityProfileName: 'fleet-ml', behaviorName: 'ml-bytes-out', modelStatus: 'PENDING_BUILD', datapointsCollectionPercentage: 0 },
      ]);
    });

    test("collecting: the percentage rises with the fleet's datapoints; no model before the training days, so an outlier is not flagged", async () => {
      await fleetRound({ 'dev-07': 50_000 });
      const first = await only();
      assert.equal(first.modelStatus, 'PENDING_BUILD');
      assert.equal(first.datapointsCollectionPercentage, 15); // 30 of 200
      assert.equal(first.trainingDataCollectionStartDate?.getTime(), clock.now().getTime());
      assert.equal(first.lastModelRefreshDate, undefined);
      const seen = [first.datapointsCollectionPercentage];
      for (let i = 0; i < 6; i++) {
        await fleetRound();
        seen.push((await only()).datapointsCollectionPercentage!);
      }
      assert.deepEqual(seen, [15, 30, 45, 60, 75, 90, 100]);
      assert.deepEqual(await active(), []);
      // One sketch row for the behavior and day on this node, however many rounds and reports.
      assert.equal(await count('detect_ml_sketches'), 1);
      assert.equal(await count('detect_ml_trainings'), 1);

      // A day on: the training days (2) have not passed, the sweep builds nothing.
      clock.advance(DAY);
      await server.detector.sweepNow();
      const waiting = await only();
      assert.equal(waiting.modelStatus, 'PENDING_BUILD');
      assert.equal(waiting.lastModelRefreshDate, undefined);
      assert.equal(waiting.datapointsCollectionPercentage, 100);
    });

    test('after the training days the sweep builds the model: ACTIVE with lastModelRefreshDate', async () => {
      clock.advance(DAY);
      await server.detector.sweepNow();
      const s = await only();
      assert.equal(s.modelStatus, 'ACTIVE');
      assert.equal(s.lastModelRefreshDate?.getTime(), clock.now().getTime());
      assert.equal(s.trainingDataCollectionStartDate?.getTime(), T0 + 5 * MINUTE);
      assert.equal(s.datapointsCollectionPercentage, 100);
    });

    test('a device that departs from the fleet (50x its bytes) gets an in-alarm violation with its confidenceLevel; normal devices get none', async () => {
      const usual = normal(3, round + 1);
      await fleetRound({ 'dev-03': 50 * usual });
      const [v, ...more] = await active();
      assert.deepEqual(more, []);
      assert.equal(v.thingName, 'dev-03');
      assert.equal(v.securityProfileName, 'fleet-ml');
      assert.deepEqual(v.behavior, mlBytesOut);
      assert.deepEqual(v.lastViolationValue, { count: 50 * usual });
      assert.deepEqual(v.violationEventAdditionalInfo, { confidenceLevel: 'MEDIUM' });
      assert.deepEqual((await active('MACHINE_LEARNING')).map((a) => a.thingName), ['dev-03']);
      assert.deepEqual(await active('STATIC'), []);

      const inAlarm = (await events()).filter((e) => e.violationEventType === 'in-alarm');
      assert.deepEqual(inAlarm.map((e) => e.thingName), ['dev-03']);
      assert.deepEqual(inAlarm[0].violationEventAdditionalInfo, { confidenceLevel: 'MEDIUM' });
      const alerts = (await snsMessages(url, `?topicArn=${encodeURIComponent(TOPIC)}`)).json.messages.map((m: { message: string }) => JSON.parse(m.message));
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0].violationEventType, 'in-alarm');
      assert.deepEqual(alerts[0].violationEventAdditionalInfo, { confidenceLevel: 'MEDIUM' });
    });

    test('back to normal, the violation clears (alarm-cleared, with the confidenceLevel)', async () => {
      await fleetRound();
      assert.deepEqual(await active(), []);
      const cleared = (await events()).filter((e) => e.violationEventType === 'alarm-cleared');
      assert.deepEqual(cleared.map((e) => e.thingName), ['dev-03']);
      assert.deepEqual(cleared[0].violationEventAdditionalInfo, { confidenceLevel: 'MEDIUM' });
      assert.deepEqual(cleared[0].metricValue, { count: normal(3, round) });
    });

    test('a behavior whose metric changes trains anew (its old model no longer applies); a deleted profile forgets its training', async () => {
      await client.send(
        new UpdateSecurityProfileCommand({
          securityProfileName: 'fleet-ml',
          behaviors: [{ ...mlBytesOut, metric: 'aws:all-packets-out' }],
        }),
      );
      assert.deepEqual(await summaries(client), [
        { securityProfileName: 'fleet-ml', behaviorName: 'ml-bytes-out', modelStatus: 'PENDING_BUILD', datapointsCollectionPercentage: 0 },
      ]);
      // Every device sends 50,000 packets: against the old model (bytes, centred near 1,000) each would
      // be anomalous; the new training has no model yet, so nothing is compared.
      await fleetRound({}, 50_000);
      assert.deepEqual(await active(), []);
      const s = await only();
      assert.equal(s.modelStatus, 'PENDING_BUILD');
      assert.equal(s.datapointsCollectionPercentage, 15);
      assert.equal(s.trainingDataCollectionStartDate?.getTime(), clock.now().getTime());

      await client.send(new DeleteSecurityProfileCommand({ securityProfileName: 'fleet-ml' }));
      await server.detector.sweepNow();
      assert.equal(await count('detect_ml_trainings'), 0);
      assert.equal(await count('detect_ml_sketches'), 0);
    });
  });

  describe(`GetBehaviorModelTrainingSummaries: filters, pages, errors (${backend})`, () => {
    let env: Awaited<ReturnType<typeof open>>;
    let client: IoTClient;
    const ml = (name: string, metric: string, confidenceLevel: 'LOW' | 'MEDIUM' | 'HIGH' = 'LOW'): Behavior => ({ name, metric, criteria: { mlDetectionConfig: { confidenceLevel } } });
    const staticOut: Behavior = { name: 'static-out', metric: 'aws:all-bytes-out', criteria: { comparisonOperator: 'less-than', value: { count: 10 } } };
    const page = (input: { securityProfileName?: string; maxResults?: number; nextToken?: string }) => client.send(new GetBehaviorModelTrainingSummariesCommand(input));
    const names = (r: { summaries?: BehaviorModelTrainingSummary[] }) => (r.summaries ?? []).map((s) => `${s.securityProfileName}/${s.behaviorName}`);

    before(async () => {
      env = await open(backend, new ManualClock(new Date()));
      client = env.client;
      const create = (securityProfileName: string, behaviors: Behavior[]) => client.send(new CreateSecurityProfileCommand({ securityProfileName, behaviors }));
      await create('ml-b', [ml('b1', 'aws:all-bytes-out', 'HIGH')]);
      await create('ml-a', [staticOut, ml('a2', 'aws:all-packets-out'), ml('a1', 'aws:all-bytes-in'), ml('a3', 'aws:num-listening-tcp-ports', 'MEDIUM')]);
      await create('plain', [staticOut]);
      const metrics = ['aws:all-bytes-out', 'aws:all-bytes-in', 'aws:all-packets-out', 'aws:all-packets-in', 'aws:num-listening-tcp-ports', 'aws:num-listening-udp-ports', 'aws:num-established-tcp-connections'];
      await create('ml-many', Array.from({ length: 12 }, (_, i) => ml(`m${String(i + 1).padStart(2, '0')}`, metrics[i % metrics.length])));
    });
    after(async () => {
      client?.destroy();
      await env?.close();
    });

    test('every ML behavior of every profile (not the static ones), by profile and behavior name, in pages of 10 by default', async () => {
      const first = await page({});
      assert.deepEqual(names(first), ['ml-a/a1', 'ml-a/a2', 'ml-a/a3', 'ml-b/b1', 'ml-many/m01', 'ml-many/m02', 'ml-many/m03', 'ml-many/m04', 'ml-many/m05', 'ml-many/m06']);
      assert.ok(first.nextToken);
      for (const s of first.summaries!) {
        assert.equal(s.modelStatus, 'PENDING_BUILD');
        assert.equal(s.datapointsCollectionPercentage, 0);
        assert.equal(s.trainingDataCollectionStartDate, undefined);
      }
      const second = await page({ nextToken: first.nextToken });
      assert.deepEqual(names(second), ['ml-many/m07', 'ml-many/m08', 'ml-many/m09', 'ml-many/m10', 'ml-many/m11', 'ml-many/m12']);
      assert.equal(second.nextToken, undefined);
    });

    test('securityProfileName keeps one profile; maxResults pages it; a profile without ML behaviors has none', async () => {
      const one = await page({ securityProfileName: 'ml-a', maxResults: 2 });
      assert.deepEqual(names(one), ['ml-a/a1', 'ml-a/a2']);
      const two = await page({ securityProfileName: 'ml-a', maxResults: 2, nextToken: one.nextToken });
      assert.deepEqual(names(two), ['ml-a/a3']);
      assert.equal(two.nextToken, undefined);
      const exact = await page({ securityProfileName: 'ml-a', maxResults: 3 });
      assert.deepEqual(names(exact), ['ml-a/a1', 'ml-a/a2', 'ml-a/a3']);
      assert.equal(exact.nextToken, undefined);
      assert.deepEqual(names(await page({ securityProfileName: 'ml-b' })), ['ml-b/b1']);
      const none = await page({ securityProfileName: 'plain' });
      assert.deepEqual(none.summaries, []);
      assert.equal(none.nextToken, undefined);
    });

    test('errors: an unknown profile is ResourceNotFoundException; maxResults outside 1..10 and foreign or broken tokens are InvalidRequestException', async () => {
      await assertFails(page({ securityProfileName: 'no-such-profile' }), 'ResourceNotFoundException', 404, /no-such-profile/);
      await assertFails(page({ maxResults: 11 }), 'InvalidRequestException', 400, /maxResults/);
      await assertFails(page({ maxResults: 0 }), 'InvalidRequestException', 400, /maxResults/);
      await assertFails(page({ securityProfileName: 'bad name!' }), 'InvalidRequestException', 400, /securityProfileName/);
      const all = await page({ maxResults: 1 });
      await assertFails(page({ securityProfileName: 'ml-a', nextToken: all.nextToken }), 'InvalidRequestException', 400, /nextToken/);
      await assertFails(page({ nextToken: 'not-a-token' }), 'InvalidRequestException', 400, /nextToken/);
    });
  });
}

// Nodes share a database on PostgreSQL only (a SQLite database belongs to one process: it is opened
// in exclusive locking mode), so this block runs there.
describe('ML Detect on two nodes sharing a PostgreSQL database', () => {
  const T0 = Math.floor(Date.now() / DAY) * DAY + 60 * MINUTE;
  const clock = new ManualClock(new Date(T0));
  let a: Awaited<ReturnType<typeof open>>;
  let b: Awaited<ReturnType<typeof open>>;
  let reportId = 1;
  const send = (url: string, thing: string, body: string) =>
    raw(url, { method: 'POST', path: `/_warden/things/${encodeURIComponent(thing)}/defender/metrics/json`, body, headers: { 'content-type': 'application/octet-stream' } });
  /** Half the fleet reports to each node. */
  const fleetRound = async (round: number) => {
    clock.advance(5 * MINUTE);
    const answers = await Promise.all(DEVICES.map((d, i) => send(i % 2 === 0 ? a.url : b.url, d, report(reportId++, normal(i, round)))));
    for (const r of answers) assert.equal(r.status, 200, r.text);
  };

  before(async () => {
    // 40 datapoints: two rounds of one node's half (30) do not reach it, the two nodes' (60) do.
    a = await open('postgres', clock, { trainingDays: 2, minDatapoints: 40 });
    b = await open('postgres', clock, { trainingDays: 2, minDatapoints: 40 }, { schema: a.schema, engine: false });
    for (const t of DEVICES) await a.client.send(new CreateThingCommand({ thingName: t }));
    await group(a.client, 'ml-fleet', DEVICES);
    await a.client.send(new CreateSecurityProfileCommand({ securityProfileName: 'fleet-ml', behaviors: [mlBytesOut] }));
    await a.client.send(new AttachSecurityProfileCommand({ securityProfileName: 'fleet-ml', securityProfileTargetArn: GROUP_ARN }));
  });
  after(async () => {
    a?.client.destroy();
    b?.client.destroy();
    await b?.close();
    await a?.close();
  });

  test("each node keeps its own sketch of the day; the summaries count both and the model trains on both nodes' datapoints", async () => {
    await fleetRound(1);
    await fleetRound(2);
    const rows = (await a.server.store.db.all('SELECT node, datapoints FROM detect_ml_sketches')) as { node: string; datapoints: number | string }[];
    assert.equal(rows.length, 2);
    assert.notEqual(rows[0].node, rows[1].node);
    assert.deepEqual(rows.map((r) => Number(r.datapoints)), [30, 30]);
    for (const client of [a.client, b.client]) {
      const [s] = await summaries(client, 'fleet-ml');
      assert.equal(s.datapointsCollectionPercentage, 100); // 60 of 40, capped
      assert.equal(s.modelStatus, 'PENDING_BUILD');
    }
    clock.advance(2 * DAY);
    await a.server.detector.sweepNow();
    const [s] = await summaries(b.client, 'fleet-ml');
    assert.equal(s.modelStatus, 'ACTIVE');
    assert.equal(s.lastModelRefreshDate?.getTime(), clock.now().getTime());
  });
});

describe('ML Detect options', () => {
  test('warden serve: --detect-ml-training-days and --detect-ml-min-datapoints, or their WARDEN_* variables; whole numbers of at least 1', () => {
    assert.deepEqual(serveOptions(['--detect-ml-training-days', '3', '--detect-ml-min-datapoints', '500'], {}).detectMl, { trainingDays: 3, minDatapoints: 500 });
    assert.deepEqual(serveOptions([], { WARDEN_DETECT_ML_TRAINING_DAYS: '7' }).detectMl, { trainingDays: 7 });
    assert.deepEqual(serveOptions(['--detect-ml-min-datapoints', '9'], { WARDEN_DETECT_ML_MIN_DATAPOINTS: '100' }).detectMl, { minDatapoints: 9 });
    assert.equal(serveOptions([], {}).detectMl, undefined);
    assert.throws(() => serveOptions(['--detect-ml-training-days', '0'], {}), /--detect-ml-training-days must be a whole number of at least 1/);
    assert.throws(() => serveOptions([], { WARDEN_DETECT_ML_MIN_DATAPOINTS: '2.5' }), /--detect-ml-min-datapoints/);
  });

  test('createServer refuses a detectMl minimum that is not a whole number of at least 1', async () => {
    await assert.rejects(createServer({ port: 0, logLevel: 'silent', detectMl: { trainingDays: 0 } }), (e) => e instanceof ConfigError && /trainingDays/.test(e.message));
    await assert.rejects(createServer({ port: 0, logLevel: 'silent', detectMl: { minDatapoints: -1 } }), (e) => e instanceof ConfigError && /minDatapoints/.test(e.message));
  });
});
