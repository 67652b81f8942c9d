// The console's detect path in Chromium: a security profile and a device in violation (recorded
// through the signed /_warden/violations), the violation selected on the Detect page, a detect
// mitigation task started with a quarantine action, watched to its end, and the thing found in the
// quarantine group on its page and the group's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateMitigationActionCommand,
  CreateSecurityProfileCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  ListThingGroupsForThingCommand,
  type Behavior,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type { Browser, Page } from 'playwright-core';
import { createServer, type WardenServer } from '../../src/index.js';
import { iot, ROLE } from '../harness.js';
import { injectViolations } from '../operations/mitigation-helpers.js';
import { launch, openPage, shot, signIn } from './browser.js';

const THING = 'chatty-1';
const PROFILE = 'too-chatty';
const BEHAVIOR: Behavior = { name: 'messages-sent', metric: 'aws:num-messages-sent', criteria: { comparisonOperator: 'greater-than', value: { count: 10 }, durationSeconds: 300 } };

describe('console: detect violations to a quarantined thing (Chromium)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-console-detect-'));
  let server: WardenServer;
  let url: string;
  let client: IoTClient;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    server = await createServer({ port: 0, dataDir, logLevel: 'silent' });
    url = await server.listen();
    client = iot(url);
    await client.send(new CreateSecurityProfileCommand({ securityProfileName: PROFILE, securityProfileDescription: 'Devices that send too much', behaviors: [BEHAVIOR] }));
    await client.send(new CreateThingCommand({ thingName: THING }));
    await client.send(new CreateThingCommand({ thingName: 'quiet-1' }));
    await client.send(new CreateThingGroupCommand({ thingGroupName: 'quarantine' }));
    await client.send(new CreateMitigationActionCommand({ actionName: 'quarantine-it', roleArn: ROLE, actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } } }));
    await injectViolations(url, [{ thingName: THING, securityProfileName: PROFILE, behavior: BEHAVIOR, lastViolationValue: { count: 57 } }]);
    browser = await launch();
    ({ page, errors } = await openPage(browser));
    await signIn(page, url);
  });
  after(async () => {
    await browser?.close();
    client?.destroy();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the dashboard counts the violation by profile and behavior', async () => {
    const table = page.getByRole('table', { name: /By security profile and behavior/ });
    await table.waitFor();
    assert.match(await table.innerText(), /too-chatty\s+messages-sent\s+1/);
  });

  test('the Detect page shows the profile, its behaviors and the active violation', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Detect' }).click();
    await page.getByRole('button', { name: PROFILE }).click();
    const behaviors = page.getByRole('table', { name: 'Behaviors' });
    await behaviors.waitFor();
    assert.match(await behaviors.innerText(), /messages-sent\s+aws:num-messages-sent/);
    const row = page.getByRole('table', { name: 'Active violations' }).getByRole('row', { name: new RegExp(THING) });
    await row.waitFor();
    assert.match(await row.innerText(), /too-chatty\s+messages-sent \(aws:num-messages-sent\)\s+57/);
    await page.getByRole('button', { name: 'Chart' }).click();
    await page.getByRole('heading', { name: `messages-sent for ${THING}` }).waitFor();
    const history = page.getByRole('table', { name: 'Violation events' });
    assert.match(await history.innerText(), /in-alarm\s+chatty-1\s+too-chatty\s+messages-sent/);
    await shot(page, '20-detect');
  });

  test('the user sets a verification state', async () => {
    const select = page.getByLabel(/^Verification state of/);
    await select.selectOption('TRUE_POSITIVE');
    await page.waitForFunction(() => (document.querySelector('select[aria-label^="Verification state of"]') as HTMLSelectElement | null)?.value === 'TRUE_POSITIVE');
  });

  test('a detect mitigation task quarantines the thing', async () => {
    await page.getByLabel(/^Select violation/).check();
    await page.getByRole('heading', { name: '1 violation selected' }).waitFor();
    await page.getByLabel('Mitigation action').locator('option', { hasText: 'quarantine-it' }).waitFor({ state: 'attached' });
    await page.getByLabel('Mitigation action').selectOption('quarantine-it');
    await page.getByRole('button', { name: 'Start detect mitigation task' }).click();
    await page.waitForURL(/\/console\/detect\/tasks\/console-/);
    await page.locator('p .status', { hasText: 'SUCCESSFUL' }).waitFor({ timeout: 30_000 });
    const executions = page.locator('table', { has: page.getByRole('columnheader', { name: 'Violation' }) });
    await executions.locator('tbody tr').first().waitFor();
    assert.match(await executions.innerText(), new RegExp(`${THING}\\s+\\S+\\s+quarantine-it\\s+SUCCESSFUL`));
    await shot(page, '21-detect-task');
    await page.getByRole('link', { name: THING }).click();
    await page.getByTestId('thing-groups').getByRole('link', { name: 'quarantine' }).waitFor();
    await shot(page, '22-thing');
    await page.getByTestId('thing-groups').getByRole('link', { name: 'quarantine' }).click();
    await page.getByTestId('group-members').getByRole('link', { name: THING }).waitFor();
    assert.equal(await page.getByTestId('group-members').getByRole('link').count(), 1, 'only the violating thing is quarantined');
    await shot(page, '23-thing-group');
    const groups = await client.send(new ListThingGroupsForThingCommand({ thingName: THING }));
    assert.deepEqual(groups.thingGroups?.map((g) => g.groupName), ['quarantine']);
    assert.deepEqual(errors, []);
  });
});
