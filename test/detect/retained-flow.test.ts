// Retained metrics end to end, in process with a ManualClock, on both backends: security profiles
// that retain metrics (additionalMetricsToRetainV2, a behavior without criteria) and alarm on none
// of them keep the datapoints of the things they cover, device-side from metrics reports and
// cloud-side (a TOPIC_FILTER dimension, IN and NOT_IN) from POST /_warden/cloud-metrics once the
// period has ended; ListMetricValues reads them back oldest first in pages, one per time across
// profiles; a thing outside the targets, another account and another region see nothing; the
// sweep purges datapoints older than 14 days; bad requests are refused naming the field. Then the
// store's repo on its own: upsert, one per millisecond across profiles, keyset pages, the purge.
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
  ListMetricValuesCommand,
  paginateListMetricValues,
  type ListMetricValuesCommandInput,
} from '@aws-sdk/client-iot';
import { createServer, ManualClock, type WardenServer } from '../../src/index.js';
import type { Store } from '../../src/store/store.js';
import { assertFails, BACKENDS, dropSchema, freshSchema, iot, PG_BASE, raw, useStore } from '../harness.js';
import { group } from '../operations/mitigation-helpers.js';

const MINUTE = 60_000;
const PERIOD = 5 * MINUTE;
const DAY = 24 * 60 * MINUTE;
const GROUP_ARN = 'arn:aws:iot:us-east-1:000000000000:thinggroup/retain-fleet';
const OTHER = { accessKeyId: 'AKIDOTHER', secretAccessKey: 'other-secret', accountId: '111111111111' };

/** A device metrics report in AWS's long names. */
const report = (id: number, bytesOut: number, bytesIn = 7) =>
  JSON.stringify({
    header: { report_id: id, version: '1.0' },
    metrics: {
      network_stats: { bytes_in: bytesIn, bytes_out: bytesOut, packets_in: 1, packets_out: 2 },
      listening_tcp_ports: { ports: [{ port: 443 }], total: 1 },
    },
  });

for (const backend of BACKENDS) {
  describe(`Detect retained metrics and ListMetricValues (${backend})`, () => {
    // A period starts 10 s after the clock's start.
    const t0 = Math.floor(Date.now() / PERIOD) * PERIOD + 10_000;
    const clock = new ManualClock(new Date(t0));
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-retained-'));
    const schema = freshSchema();
    let server: WardenServer;
    let url: string;
    let client: ReturnType<typeof iot>;
    let reportId = 1;
    const send = async (thing: string, body: string) => {
      const r = await raw(url, { method: 'POST', path: `/_warden/things/${thing}/defender/metrics/json`, body, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'ACCEPTED', r.text);
    };
    const window = () => ({ startTime: new Date(t0 - DAY), endTime: new Date(clock.now().getTime() + DAY) });
    /** Every datapoint (all pages) as [epoch ms, value]. */
    const values = async (input: Partial<ListMetricValuesCommandInput>, c = client) => {
      const out: [number, unknown][] = [];
      for await (const page of paginateListMetricValues({ client: c, pageSize: 100 }, { thingName: 'r1', metricName: 'aws:all-bytes-out', ...window(), ...input })) {
        for (const d of page.metricDatumList ?? []) out.push([d.timestamp!.getTime(), d.value]);
      }
      return out;
    };
    /** The next period begins (and its grace passes): the ended one is evaluated. */
    const nextPeriod = async () => {
      clock.set(new Date(Math.floor(clock.now().getTime() / PERIOD) * PERIOD + PERIOD + 10_000));
      await server.detector.cloudSettled();
    };
    let cloudAt = 0;

    before(async () => {
      server = await createServer({
        port: 0,
        clock,
        dataDir,
        databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined,
        logLevel: (process.env.LOG as 'silent') ?? 'silent',
        credentials: [{ accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' }, OTHER],
        // The clock runs days ahead of the signing clients: accept their signatures all the same.
        skewMs: 30 * DAY,
      });
      url = await server.listen();
      client = iot(url);
      for (const t of ['r1', 'r2', 'r3']) await client.send(new CreateThingCommand({ thingName: t }));
      await group(client, 'retain-fleet', ['r1', 'r2']);
      await client.send(new CreateDimensionCommand({ name: 'telemetry', type: 'TOPIC_FILTER', stringValues: ['telemetry/#'], clientRequestToken: 'dim-1' }));
      // No behavior on aws:all-bytes-out or the message counts: they are only retained.
      await client.send(
        new CreateSecurityProfileCommand({
          securityProfileName: 'keeper',
          behaviors: [{ name: 'ports', metric: 'aws:num-listening-tcp-ports', criteria: { comparisonOperator: 'less-than-equals', value: { count: 10 } } }],
          additionalMetricsToRetainV2: [
            { metric: 'aws:all-bytes-out' },
            { metric: 'aws:num-messages-sent', metricDimension: { dimensionName: 'telemetry' } },
            { metric: 'aws:num-messages-sent', metricDimension: { dimensionName: 'telemetry', operator: 'NOT_IN' } },
          ],
        }),
      );
      // A second profile retains aws:all-bytes-out too (its datapoints are the same), and aws:all-bytes-in through a behavior without criteria.
      await client.send(
        new CreateSecurityProfileCommand({
          securityProfileName: 'second',
          behaviors: [{ name: 'keep-in', metric: 'aws:all-bytes-in' }],
          additionalMetricsToRetainV2: [{ metric: 'aws:all-bytes-out' }],
        }),
      );
      for (const p of ['keeper', 'second']) await client.send(new AttachSecurityProfileCommand({ securityProfileName: p, securityProfileTargetArn: GROUP_ARN }));
    });
    after(async () => {
      client?.destroy();
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    test('device-side retained datapoints are read back oldest first, in pages, once across profiles', async () => {
      for (let i = 0; i < 5; i++) {
        await send('r1', report(reportId++, (i + 1) * 100, 10 + i));
        if (i === 0) {
          await send('r2', report(reportId++, 999));
          // r3 is in no target of the profiles: nothing of it is kept.
          await send('r3', report(reportId++, 888));
        }
        clock.advance(PERIOD);
      }
      const times = [0, 1, 2, 3, 4].map((i) => t0 + i * PERIOD);
      assert.deepEqual(await values({}), times.map((t, i) => [t, { count: (i + 1) * 100 }]));

      // Pages of two, each token leading to the next; timestamps are epoch seconds on the wire.
      const first = await client.send(new ListMetricValuesCommand({ thingName: 'r1', metricName: 'aws:all-bytes-out', ...window(), maxResults: 2 }));
      assert.deepEqual(first.metricDatumList, [
        { timestamp: new Date(times[0]), value: { count: 100 } },
        { timestamp: new Date(times[1]), value: { count: 200 } },
      ]);
      assert.ok(first.nextToken);
      const second = await client.send(new ListMetricValuesCommand({ thingName: 'r1', metricName: 'aws:all-bytes-out', ...window(), maxResults: 2, nextToken: first.nextToken }));
      assert.deepEqual(second.metricDatumList?.map((d) => d.value), [{ count: 300 }, { count: 400 }]);
      const third = await client.send(new ListMetricValuesCommand({ thingName: 'r1', metricName: 'aws:all-bytes-out', ...window(), maxResults: 2, nextToken: second.nextToken }));
      assert.deepEqual(third.metricDatumList?.map((d) => d.value), [{ count: 500 }]);
      assert.equal(third.nextToken, undefined);

      // [startTime, endTime): the window cuts both ends.
      assert.deepEqual(
        (await values({ startTime: new Date(times[1]), endTime: new Date(times[3]) })).map(([, v]) => v),
        [{ count: 200 }, { count: 300 }],
      );
      const wire = await raw(url, { method: 'GET', path: '/metric-values', query: { thingName: 'r1', metricName: 'aws:all-bytes-out', startTime: String(times[0] / 1000), endTime: String(times[1] / 1000) } });
      assert.equal(wire.status, 200, wire.text);
      assert.deepEqual(wire.json, { metricDatumList: [{ timestamp: times[0] / 1000, value: { count: 100 } }] });

      assert.deepEqual(await values({ thingName: 'r2' }), [[t0, { count: 999 }]]);
      assert.deepEqual(await values({ thingName: 'r3' }), []);
      // A behavior without criteria retains its metric; a metric no profile names is not kept.
      assert.deepEqual((await values({ metricName: 'aws:all-bytes-in' })).map(([, v]) => v), [10, 11, 12, 13, 14].map((count) => ({ count })));
      assert.deepEqual(await values({ metricName: 'aws:all-packets-out' }), []);
      // Both profiles kept each datapoint; the answer has it once.
      const r1 = { thingName: 'r1', metric: 'aws:all-bytes-out', from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100 };
      for (const profileName of ['keeper', 'second']) assert.equal((await server.store.repos.detectRetained.list({ accountId: '000000000000', region: 'us-east-1' }, { ...r1, profileName })).length, 5);
    });

    test('cloud-side retained datapoints, within their dimension, once their period has ended', async () => {
      const r = await raw(url, {
        method: 'POST',
        path: '/_warden/cloud-metrics',
        body: JSON.stringify({ activities: [{ thingName: 'r1', messagesSent: [{ topic: 'telemetry/temp', bytes: 10, count: 7 }, { topic: 'cmd/reply', bytes: 10, count: 2 }] }, { thingName: 'r3', messagesSent: [{ topic: 'telemetry/x', bytes: 1 }] }] }),
      });
      assert.equal(r.status, 200, r.text);
      const sent = { metricName: 'aws:num-messages-sent', dimensionName: 'telemetry' };
      // The period has not ended: nothing yet.
      assert.deepEqual(await values(sent), []);
      cloudAt = Math.floor(clock.now().getTime() / PERIOD) * PERIOD + PERIOD - 1;
      await nextPeriod();
      // The datapoint is the period's, timed at its last millisecond.
      assert.deepEqual(await values(sent), [[cloudAt, { count: 7 }]]);
      assert.deepEqual(await values({ ...sent, dimensionValueOperator: 'IN' }), [[cloudAt, { count: 7 }]]);
      assert.deepEqual(await values({ ...sent, dimensionValueOperator: 'NOT_IN' }), [[cloudAt, { count: 2 }]]);
      // Retained with a dimension only: without one, nothing.
      assert.deepEqual(await values({ metricName: 'aws:num-messages-sent' }), []);
      assert.deepEqual(await values({ ...sent, thingName: 'r3' }), []);
    });

    test('another account and another region see none of it', async () => {
      const other = iot(url, OTHER);
      const eu = iot(url, undefined, 'eu-west-1');
      try {
        assert.deepEqual(await values({}, other), []);
        assert.deepEqual(await values({}, eu), []);
        assert.equal((await values({})).length, 5);
      } finally {
        other.destroy();
        eu.destroy();
      }
    });

    test('bad requests are refused naming the field', async () => {
      const list = (input: Partial<ListMetricValuesCommandInput>) => client.send(new ListMetricValuesCommand({ thingName: 'r1', metricName: 'aws:all-bytes-out', ...window(), ...input }));
      const now = clock.now();
      await assertFails(list({ startTime: now, endTime: now }), 'InvalidRequestException', 400, /endTime must be after startTime/);
      await assertFails(list({ startTime: new Date(now.getTime() + 1000), endTime: now }), 'InvalidRequestException', 400, /endTime must be after startTime/);
      await assertFails(list({ metricName: 'aws:no-such-metric' }), 'InvalidRequestException', 400, /metricName aws:no-such-metric is not a Device Defender metric/);
      await assertFails(list({ metricName: 'no-such-custom' }), 'ResourceNotFoundException', 404, /Custom metric no-such-custom does not exist/);
      await assertFails(list({ metricName: 'aws:num-messages-sent', dimensionName: 'nope' }), 'ResourceNotFoundException', 404, /Dimension nope does not exist/);
      await assertFails(list({ dimensionName: 'telemetry' }), 'InvalidRequestException', 400, /dimensionName cannot be used with aws:all-bytes-out/);
      await assertFails(list({ metricName: 'aws:num-messages-sent', dimensionValueOperator: 'NOT_IN' }), 'InvalidRequestException', 400, /dimensionValueOperator is given without dimensionName/);
      await assertFails(list({ maxResults: 0 }), 'InvalidRequestException', 400, /maxResults/);
      await assertFails(list({ maxResults: 251 }), 'InvalidRequestException', 400, /maxResults/);
      await assertFails(list({ nextToken: 'not-a-token' }), 'InvalidRequestException', 400, /nextToken 'not-a-token' is not valid/);
      // A token of another thing's list.
      const page = await list({ maxResults: 1 });
      await assertFails(list({ thingName: 'r2', nextToken: page.nextToken }), 'InvalidRequestException', 400, /is not valid for this list/);
      for (const missing of ['thingName', 'metricName', 'startTime', 'endTime']) {
        const query: Record<string, string> = { thingName: 'r1', metricName: 'aws:all-bytes-out', startTime: '0', endTime: '4102444800' };
        delete query[missing];
        const r = await raw(url, { method: 'GET', path: '/metric-values', query });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidRequestException');
        assert.match(r.json.message, new RegExp(`'${missing}'`));
      }
    });

    test('the sweep purges datapoints older than 14 days and keeps the rest', async () => {
      // Now minus 14 days falls between the third and the fourth report.
      clock.set(new Date(t0 + 14 * DAY + 2 * PERIOD + MINUTE));
      await server.detector.sweepNow();
      assert.deepEqual(
        (await values({ startTime: new Date(0) })).map(([t, v]) => [t - t0, v]),
        [
          [3 * PERIOD, { count: 400 }],
          [4 * PERIOD, { count: 500 }],
        ],
      );
      assert.deepEqual(await values({ thingName: 'r2', startTime: new Date(0) }), []);
      assert.deepEqual(await values({ metricName: 'aws:num-messages-sent', dimensionName: 'telemetry', startTime: new Date(0) }), [[cloudAt, { count: 7 }]]);
      clock.set(new Date(cloudAt + 14 * DAY + 1));
      await server.detector.sweepNow();
      assert.deepEqual(await values({ metricName: 'aws:num-messages-sent', dimensionName: 'telemetry', startTime: new Date(0) }), []);
      assert.deepEqual(await values({ startTime: new Date(0) }), []);
    });
  });

  describe(`DetectRetainedRepo (${backend})`, () => {
    let store: Store;
    const scope = { accountId: '000000000000', region: 'us-east-1' };
    const row = (profileName: string, at: number, count: number, thingName = 't') => ({ thingName, profileName, metric: 'aws:all-bytes-out', dimensionName: '', dimensionOperator: '', at, value: { count } });
    const q = { thingName: 't', metric: 'aws:all-bytes-out', from: 0, to: 10_000, limit: 100 };
    useStore(backend, 'warden-retained-store-', (s) => (store = s));

    test('a datapoint of the same key and millisecond replaces the first, within one batch and across batches', async () => {
      await store.transaction((tx) => tx.detectRetained.save(scope, [row('a', 1000, 1), row('a', 1000, 2), row('b', 1000, 2), row('a', 2000, 3)]));
      await store.transaction((tx) => tx.detectRetained.save(scope, [row('a', 2000, 4), row('b', 2000, 4), row('a', 3000, 5, 'u')]));
      assert.deepEqual(await store.repos.detectRetained.list(scope, { ...q, profileName: 'a' }), [
        { at: 1000, value: { count: 2 } },
        { at: 2000, value: { count: 4 } },
      ]);
      // Across profiles: one per millisecond.
      assert.deepEqual(await store.repos.detectRetained.list(scope, q), [
        { at: 1000, value: { count: 2 } },
        { at: 2000, value: { count: 4 } },
      ]);
      assert.deepEqual(await store.repos.detectRetained.list(scope, { ...q, after: 1000 }), [{ at: 2000, value: { count: 4 } }]);
      assert.deepEqual(await store.repos.detectRetained.list(scope, { ...q, limit: 1 }), [{ at: 1000, value: { count: 2 } }]);
      assert.deepEqual(await store.repos.detectRetained.list({ ...scope, region: 'eu-west-1' }, q), []);
      assert.deepEqual(await store.repos.detectRetained.list(scope, { ...q, dimensionName: 'telemetry', dimensionOperator: 'IN' }), []);
    });

    test('a batch of more rows than one statement takes', async () => {
      const rows = Array.from({ length: 700 }, (_, i) => row('big', 100_000 + i, i, 'v'));
      await store.transaction((tx) => tx.detectRetained.save(scope, rows));
      const all = await store.repos.detectRetained.list(scope, { ...q, thingName: 'v', from: 0, to: 1e9, limit: 1000 });
      assert.equal(all.length, 700);
      assert.deepEqual(all[699], { at: 100_699, value: { count: 699 } });
    });

    test('purgeBefore deletes what is older and answers how many', async () => {
      assert.equal(await store.repos.detectRetained.purgeBefore(2000), 2);
      assert.deepEqual(await store.repos.detectRetained.list(scope, q), [{ at: 2000, value: { count: 4 } }]);
    });
  });
}
