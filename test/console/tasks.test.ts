// Mitigation tasks in progress, in Chromium, on a server whose engine is off (so a task stays
// IN_PROGRESS as long as the test needs): the dashboard lists it with its progress bar, refreshed
// every second; the task page shows it and cancels it; the cancel reaches the dashboard too.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CreateMitigationActionCommand, DescribeAuditMitigationActionsTaskCommand, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { ROLE } from '../harness.js';
import { certFinding, injectFindings } from '../operations/mitigation-helpers.js';
import { shot, useConsole } from './browser.js';

const TASK = 'slow-task-1';

describe('console: a mitigation task in progress, and its cancel (Chromium)', () => {
  let findingIds: string[];
  const c = useConsole('warden-console-tasks-', { engine: false }, {
    async setup({ url, client }) {
      const ids = Array.from({ length: 3 }, (_, i) => i.toString(16).padStart(64, 'c'));
      ({ findingIds } = await injectFindings(url, { findings: ids.map((id) => certFinding(id)) }));
      await client.send(new CreateMitigationActionCommand({ actionName: 'cert-off', roleArn: ROLE, actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } } }));
    },
  });
  before(async () => {
    await c.page.getByRole('heading', { name: 'Mitigation tasks in progress' }).waitFor();
    await c.page.getByText('None running.').waitFor();
    // Started while the dashboard is open: the next refresh (every second) shows it.
    await c.client.send(new StartAuditMitigationActionsTaskCommand({ taskId: TASK, target: { findingIds }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] }, clientRequestToken: TASK }));
  });

  test('the dashboard shows the running task with its progress, without a reload', async () => {
    const item = c.page.getByRole('listitem').filter({ has: c.page.getByRole('link', { name: TASK }) });
    await item.waitFor({ timeout: 5000 });
    assert.match(await item.innerText(), /0 \/ 3 \(0%\)/);
    assert.equal(await item.getByRole('progressbar', { name: `Progress of ${TASK}` }).getAttribute('max'), '3');
    await shot(c.page, '30-dashboard-task-running');
  });

  test('the task page cancels it, and the dashboard stops listing it', async () => {
    await c.page.getByRole('link', { name: TASK }).click();
    await c.page.locator('p .status', { hasText: 'IN_PROGRESS' }).waitFor();
    await c.page.getByText('0 / 3 (0%)').waitFor();
    await c.page.getByRole('button', { name: 'Cancel task' }).click();
    await c.page.getByRole('status').getByText('Cancel requested.').waitFor();
    await c.page.locator('p .status', { hasText: 'CANCELED' }).waitFor({ timeout: 5000 });
    await shot(c.page, '31-task-canceled');
    const d = await c.client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: TASK }));
    assert.equal(d.taskStatus, 'CANCELED');
    await c.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Dashboard' }).click();
    await c.page.getByText('None running.').waitFor();
    assert.deepEqual(c.errors, []);
  });
});
