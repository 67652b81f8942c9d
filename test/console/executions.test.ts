// A mitigation task's executions, in Chromium: ListAuditMitigationActionsExecutions takes one
// finding, so the task page shows those of the findings the task names (25 at most), or pages
// through the audit's findings of a chosen check; the detect task page pages through
// ListDetectMitigationActionsExecutions with its nextToken.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateMitigationActionCommand, CreateSecurityProfileCommand, CreateThingGroupCommand, ListDetectMitigationActionsExecutionsCommand, StartAuditMitigationActionsTaskCommand, StartDetectMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { ROLE } from '../harness.js';
import { certFinding, injectFindings, injectViolations, waitAudit, waitDetect } from '../operations/mitigation-helpers.js';
import { shot, useConsole } from './browser.js';

const EXPIRING = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';
const AGE = 'DEVICE_CERTIFICATE_AGE_CHECK';

describe('console: a mitigation task executions, page by page (Chromium)', () => {
  let expiring: string[];
  let auditTaskId: string;

  const c = useConsole('warden-console-executions-', {}, {
    async setup({ url, client }) {
      // 30 findings of one check and 3 of another, in one audit; no such certificates, so every
      // execution fails with the reason the engine gives, which the page shows.
      const findings = [
        ...Array.from({ length: 30 }, (_, i) => certFinding(i.toString(16).padStart(64, 'e'), EXPIRING)),
        ...Array.from({ length: 3 }, (_, i) => certFinding(i.toString(16).padStart(64, 'a'), AGE)),
      ];
      const injected = await injectFindings(url, { findings });
      auditTaskId = injected.taskId;
      expiring = injected.findingIds.slice(0, 30);
      const named = expiring.slice(0, 25); // the most a task's target.findingIds takes
      await client.send(new CreateMitigationActionCommand({ actionName: 'cert-off', roleArn: ROLE, actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } } }));
      await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 'named-25', target: { findingIds: named }, auditCheckToActionsMapping: { [EXPIRING]: ['cert-off'] }, clientRequestToken: 'named-25' }));
      await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 'whole-audit', target: { auditTaskId }, auditCheckToActionsMapping: { [EXPIRING]: ['cert-off'], [AGE]: ['cert-off'] }, clientRequestToken: 'whole-audit' }));
      await waitAudit(client, 'named-25');
      await waitAudit(client, 'whole-audit');
      // 60 violations of things that do not exist: 60 FAILED executions, two pages of 50 and 10.
      await client.send(new CreateThingGroupCommand({ thingGroupName: 'quarantine' }));
      await client.send(new CreateMitigationActionCommand({ actionName: 'isolate', roleArn: ROLE, actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } } }));
      const behavior = { name: 'too-many-messages', metric: 'aws:num-messages-sent', criteria: { comparisonOperator: 'greater-than' as const, value: { count: 100 }, durationSeconds: 300 } };
      await client.send(new CreateSecurityProfileCommand({ securityProfileName: 'sp1', behaviors: [behavior] }));
      await injectViolations(url, Array.from({ length: 60 }, (_, i) => ({ thingName: `gone-${i}`, securityProfileName: 'sp1', behavior, lastViolationValue: { count: 250 } })));
      await client.send(new StartDetectMitigationActionsTaskCommand({ taskId: 'detect-60', target: { securityProfileName: 'sp1' }, actions: ['isolate'] }));
      await waitDetect(client, 'detect-60');
    },
  });

  const executions = () => c.page.locator('table', { has: c.page.getByRole('columnheader', { name: 'Finding', exact: true }) });
  /** Waits until the executions table shows `n` rows. */
  const rowsAre = async (n: number, table = executions()): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while ((await table.locator('tbody tr').count()) !== n) {
      if (Date.now() > deadline) assert.fail(`the table shows ${await table.locator('tbody tr').count()} rows, not ${n}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const findingsShown = async (): Promise<string[]> => (await executions().locator('tbody tr td:first-child').allInnerTexts()).map((s) => s.trim());

  test('a task naming 25 findings: the executions of each', async () => {
    await c.page.goto(`${c.url}/console/mitigation/tasks/named-25`);
    await c.page.getByRole('heading', { name: 'Executions' }).waitFor();
    await executions().locator('tbody tr').nth(24).waitFor();
    assert.deepEqual(await findingsShown(), expiring.slice(0, 25));
    assert.match(await executions().innerText(), /cert-off\s+FAILED\s+RESOURCE_NOT_FOUND/);
    assert.equal(await c.page.getByLabel('Findings of check').count(), 0, 'no check to choose');
    assert.equal(await c.page.getByRole('button', { name: 'Next page' }).count(), 0, 'one page');
    await shot(c.page, '40-executions-named');
  });

  test('a task on a whole audit: the chosen check findings, 25 a page, with their executions', async () => {
    await c.page.goto(`${c.url}/console/mitigation/tasks/whole-audit`);
    const choose = c.page.getByLabel('Findings of check');
    await choose.waitFor();
    await executions().locator('tbody tr').nth(24).waitFor();
    const first = await findingsShown();
    assert.equal(first.length, 25, 'the first check, a page of 25 of its 30 findings');
    assert.ok(first.every((id) => expiring.includes(id)));
    assert.match(await executions().innerText(), /cert-off\s+FAILED\s+RESOURCE_NOT_FOUND/);
    await shot(c.page, '41-executions-audit-page-1');
    await c.page.getByRole('button', { name: 'Next page' }).click();
    await c.page.getByText('Page 2').waitFor();
    await rowsAre(5);
    const second = await findingsShown();
    assert.deepEqual([...first, ...second].sort(), [...expiring].sort(), 'the two pages: each of the 30 findings once');
    assert.equal(await c.page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
    await c.page.getByRole('button', { name: 'Previous page' }).click();
    await c.page.getByText('Page 1').waitFor();
    await rowsAre(25);
    assert.deepEqual(await findingsShown(), first);
    await choose.selectOption(AGE);
    await rowsAre(3);
    const age = await findingsShown();
    assert.ok(age.every((id) => !expiring.includes(id)), 'only the other check findings');
    assert.equal(await c.page.getByRole('button', { name: 'Next page' }).count(), 0, 'one page: no pager');
    await shot(c.page, '42-executions-by-check');
    assert.deepEqual(c.errors, []);
  });

  test('a detect task with 60 executions: pages of 50 through nextToken', async () => {
    const first = await c.client.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: 'detect-60', maxResults: 50 }));
    await c.page.goto(`${c.url}/console/detect/tasks/detect-60`);
    const table = c.page.locator('table', { has: c.page.getByRole('columnheader', { name: 'Violation' }) });
    await table.locator('tbody tr').nth(49).waitFor();
    const ids = async () => (await table.locator('tbody tr td:nth-child(2)').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(await ids(), first.actionsExecutions!.map((e) => e.violationId), 'the first page, as the SDK reads it');
    assert.match(await table.innerText(), /gone-\d+\s+\S+\s+isolate\s+FAILED/);
    await c.page.getByRole('button', { name: 'Next page' }).click();
    await c.page.getByText('Page 2').waitFor();
    await rowsAre(10, table);
    const second = await ids();
    assert.equal(new Set([...second, ...first.actionsExecutions!.map((e) => e.violationId)]).size, 60, 'the two pages together: every violation once');
    await shot(c.page, '43-detect-executions-page-2');
    assert.deepEqual(c.errors, []);
  });
});
