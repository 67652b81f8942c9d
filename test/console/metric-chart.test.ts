// The Detect page's metric chart from real evaluation: a profile that alarms when a device listens
// on more than 2 TCP ports and retains that metric, device metrics reports on a manual clock (six
// five-minute periods in the past hour), the violation Detect raised from them, and in Chromium the
// chart of the thing's datapoints with the threshold drawn in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AttachSecurityProfileCommand, CreateSecurityProfileCommand, CreateThingCommand, ListActiveViolationsCommand, ListMetricValuesCommand } from '@aws-sdk/client-iot';
import { ManualClock } from '../../src/index.js';
import { raw } from '../harness.js';
import { group } from '../operations/mitigation-helpers.js';
import { shot, useConsole } from './browser.js';

const PERIOD = 5 * 60_000;
const THING = 'gateway-3';
const PORTS = [1, 2, 2, 3, 5, 6];

const report = (id: number, ports: number) =>
  JSON.stringify({
    header: { report_id: id, version: '1.0' },
    metrics: { listening_tcp_ports: { ports: Array.from({ length: ports }, (_, i) => ({ port: 8000 + i })), total: ports } },
  });

describe('console: a behavior metric charted with its threshold (Chromium)', () => {
  // The reports' periods lie in the hour before now, so the page's "last day" window holds them.
  const t0 = Math.floor((Date.now() - 60 * 60_000) / PERIOD) * PERIOD + 10_000;
  const clock = new ManualClock(new Date(t0));

  const c = useConsole('warden-console-chart-', { clock, skewMs: 2 * 60 * 60_000 }, {
    async setup({ url, client }) {
      await client.send(new CreateThingCommand({ thingName: THING }));
      await group(client, 'gateways', [THING]);
      await client.send(new CreateSecurityProfileCommand({
        securityProfileName: 'port-watch',
        behaviors: [{ name: 'few-ports', metric: 'aws:num-listening-tcp-ports', criteria: { comparisonOperator: 'less-than-equals', value: { count: 2 } } }],
        additionalMetricsToRetainV2: [{ metric: 'aws:num-listening-tcp-ports' }],
      }));
      await client.send(new AttachSecurityProfileCommand({ securityProfileName: 'port-watch', securityProfileTargetArn: 'arn:aws:iot:us-east-1:000000000000:thinggroup/gateways' }));
      for (const [i, ports] of PORTS.entries()) {
        const r = await raw(url, { method: 'POST', path: `/_warden/things/${THING}/defender/metrics/json`, body: report(i + 1, ports), headers: { 'content-type': 'application/octet-stream' } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.status, 'ACCEPTED', r.text);
        clock.advance(PERIOD);
      }
    },
  });

  test('Detect raised the violation and kept the datapoints', async () => {
    const active = await c.client.send(new ListActiveViolationsCommand({ thingName: THING }));
    assert.equal(active.activeViolations?.length, 1);
    const values = await c.client.send(new ListMetricValuesCommand({ thingName: THING, metricName: 'aws:num-listening-tcp-ports', startTime: new Date(t0 - PERIOD), endTime: new Date() }));
    assert.deepEqual(values.metricDatumList?.map((d) => d.value?.count), PORTS);
  });

  test('the chart draws the datapoints and the threshold', async () => {
    await c.page.goto(`${c.url}/console/detect?thing=${THING}`);
    const row = c.page.getByRole('table', { name: 'Active violations' }).getByRole('row', { name: new RegExp(THING) });
    await row.waitFor();
    assert.match(await row.innerText(), /port-watch\s+few-ports \(aws:num-listening-tcp-ports\)\s+6/);
    await row.getByRole('button', { name: 'Chart' }).click();
    const chart = c.page.getByRole('img', { name: 'aws:num-listening-tcp-ports (last day)' });
    await chart.locator('canvas').waitFor();
    // uPlot's legend names both series; the canvas has ink (not a blank box).
    const legend = await chart.innerText();
    assert.match(legend, /aws:num-listening-tcp-ports/);
    assert.match(legend, /threshold/);
    const inked = await chart.locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let blue = 0;
      let red = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 2] > 180 && d[i] < 80) blue++;
        if (d[i] > 150 && d[i + 1] < 60 && d[i + 2] < 60) red++;
      }
      return { blue, red };
    });
    assert.ok(inked.blue > 50, `the metric line is drawn (${inked.blue} blue pixels)`);
    assert.ok(inked.red > 50, `the threshold line is drawn (${inked.red} red pixels)`);
    await shot(c.page, '24-detect-chart');
    assert.deepEqual(c.errors, []);
  });
});
