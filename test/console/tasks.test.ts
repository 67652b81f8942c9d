// Mitigation tasks in progress, in Chromium, on a server whose engine is off (so a task stays
// IN_PROGRESS as long as the test needs): the dashboard lists it with its progress bar, refreshed
// every second; the task page shows it and cancels it; the cancel reaches the dashboard too.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateMitigationActionCommand, DescribeAuditMitigationActionsTaskCommand, StartAuditMitigationActionsTaskCommand, type IoTClient } from '@aws-sdk/client-iot';
import type { Browser, Page } from 'playwright-core';
import { createServer, type WardenServer } from '../../src/index.js';
import { iot, ROLE } from '../harness.js';
import { certFinding, injectFindings } from '../operations/mitigation-helpers.js';
import { launch, openPage, shot, signIn } from './browser.js';

const TASK = 'slow-task-1';

describe('console: a mitigation task in progress, and its cancel (Chromium)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-console-tasks-'));
  let server: WardenServer;
  let url: string;
  let client: IoTClient;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    server = await createServer({ port: 0, dataDir, logLevel: 'silent', engine: false });
    url = await server.listen();
    client = iot(url);
    const ids = Array.from({ length: 3 }, (_, i) => i.toString(16).padStart(64, 'c'));
    const { findingIds } = await injectFindings(url, { findings: ids.map((id) => certFinding(id)) });
    await client.send(new CreateMitigationActionCommand({ actionName: 'cert-off', roleArn: ROLE, actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } } }));
    browser = await launch();
    ({ page, errors } = await openPage(browser));
    await signIn(page, url);
    await page.getByRole('heading', { name: 'Mitigation tasks in progress' }).waitFor();
    await page.getByText('None running.').waitFor();
    // Started while the dashboard is open: the next refresh (every second) shows it.
    await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: TASK, target: { findingIds }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] }, clientRequestToken: TASK }));
  });
  after(async () => {
    await browser?.close();
    client?.destroy();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the dashboard shows the running task with its progress, without a reload', async () => {
    const item = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: TASK }) });
    await item.waitFor({ timeout: 5000 });
    assert.match(await item.innerText(), /0 \/ 3 \(0%\)/);
    assert.equal(await item.getByRole('progressbar', { name: `Progress of ${TASK}` }).getAttribute('max'), '3');
    await shot(page, '30-dashboard-task-running');
  });

  test('the task page cancels it, and the dashboard stops listing it', async () => {
    await page.getByRole('link', { name: TASK }).click();
    await page.locator('p .status', { hasText: 'IN_PROGRESS' }).waitFor();
    await page.getByText('0 / 3 (0%)').waitFor();
    await page.getByRole('button', { name: 'Cancel task' }).click();
    await page.getByRole('status').getByText('Cancel requested.').waitFor();
    await page.locator('p .status', { hasText: 'CANCELED' }).waitFor({ timeout: 5000 });
    await shot(page, '31-task-canceled');
    const d = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: TASK }));
    assert.equal(d.taskStatus, 'CANCELED');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByText('None running.').waitFor();
    assert.deepEqual(errors, []);
  });
});
