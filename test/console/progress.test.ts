// A mitigation task's progress bar advances live, in Chromium: the server's own engine is off and
// the test runs an engine of its own one finding at a time, so each step is a progress value the
// page must show without a reload, first on the dashboard (refreshed every second), then on the
// task's page, up to the total and COMPLETED.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { CreateMitigationActionCommand, DescribeAuditMitigationActionsTaskCommand, StartAuditMitigationActionsTaskCommand, type IoTClient } from '@aws-sdk/client-iot';
import type { Browser, Page } from 'playwright-core';
import { actionHandlers } from '../../src/actions/index.js';
import { Engine } from '../../src/engine/runner.js';
import { loadSubjects } from '../../src/engine/subjects.js';
import { createServer, systemClock, type WardenServer } from '../../src/index.js';
import { iot, ROLE } from '../harness.js';
import { certFinding, deviceWithCert, injectFindings } from '../operations/mitigation-helpers.js';
import { launch, openPage, shot, signIn } from './browser.js';

const TASK = 'stepped-task-1';
const FINDINGS = 4;

describe('console: a mitigation task progress bar advances live (Chromium)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-console-progress-'));
  let server: WardenServer;
  let url: string;
  let client: IoTClient;
  let engine: Engine;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  /** The value and max of the progress bar labelled `label`, or undefined while the page has none. */
  const bar = (label: string) =>
    page.evaluate((l) => {
      const el = [...document.querySelectorAll('progress')].find((p) => p.getAttribute('aria-label') === l);
      return el ? { value: el.value, max: el.max } : undefined;
    }, label);
  /** Waits (polling the page, not the server) until the bar labelled `label` shows `value`. */
  const until = async (label: string, value: number) => {
    await page.waitForFunction(([l, v]) => [...document.querySelectorAll('progress')].some((p) => p.getAttribute('aria-label') === l && p.value === v), [label, value] as const, { timeout: 5000 });
    return (await bar(label))!;
  };
  /** One batch of the engine: one finding's action (batch size 1). */
  const step = async () => assert.equal(await engine.tick(), true, 'the engine had work');

  before(async () => {
    server = await createServer({ port: 0, dataDir, logLevel: 'silent', engine: false });
    url = await server.listen();
    client = iot(url);
    const certs = [];
    for (let i = 0; i < FINDINGS; i++) certs.push(await deviceWithCert(client, `stepped-${i}`));
    const { findingIds } = await injectFindings(url, { findings: certs.map((c) => certFinding(c.certificateId)) });
    await client.send(new CreateMitigationActionCommand({ actionName: 'cert-off', roleArn: ROLE, actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } } }));
    engine = new Engine({ store: server.store, handlers: actionHandlers, loadSubjects, clock: systemClock, log: pino({ level: 'silent' }), batchSize: 1 });
    browser = await launch();
    ({ page, errors } = await openPage(browser));
    await signIn(page, url);
    await page.getByText('None running.').waitFor();
    await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: TASK, target: { findingIds }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] }, clientRequestToken: TASK }));
    await engine.tick(); // plans the four targets, runs none
  });
  after(async () => {
    await engine?.stop();
    await browser?.close();
    client?.destroy();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the bar climbs on the dashboard and on the task page, and ends full with COMPLETED', async () => {
    const seen: number[] = [];
    const onDashboard = `Progress of ${TASK}`;
    const first = await until(onDashboard, 0);
    assert.equal(first.max, FINDINGS);
    seen.push(first.value);
    for (const n of [1, 2]) {
      await step();
      seen.push((await until(onDashboard, n)).value);
    }
    assert.match(await page.getByRole('listitem').filter({ hasText: TASK }).innerText(), /2 \/ 4 \(50%\)/);
    await shot(page, '32-dashboard-progress');

    await page.getByRole('link', { name: TASK }).click();
    const onTask = 'Findings done';
    assert.equal((await until(onTask, 2)).max, FINDINGS);
    await page.locator('p .status', { hasText: 'IN_PROGRESS' }).waitFor();
    for (const n of [3, 4]) {
      await step();
      seen.push((await until(onTask, n)).value);
    }
    await page.locator('p .status', { hasText: 'COMPLETED' }).waitFor({ timeout: 5000 });
    await page.getByText('4 / 4 (100%)').waitFor();
    await shot(page, '33-task-progress-done');

    assert.deepEqual(seen, [0, 1, 2, 3, 4], 'every step shown, in order, up to the total');
    const d = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: TASK }));
    assert.equal(d.taskStatus, 'COMPLETED');
    assert.equal(d.taskStatistics?.DEVICE_CERTIFICATE_EXPIRING_CHECK?.succeededFindingsCount, FINDINGS);
    assert.deepEqual(errors, []);
  });
});
