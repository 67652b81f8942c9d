// The console's detect path in Chromium: a security profile and a device in violation (recorded
// through the signed /_warden/violations), the violation selected on the Detect page, a detect
// mitigation task started with a quarantine action, watched to its end, and the thing found in the
// quarantine group on its page and the group's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateMitigationActionCommand,
  CreateSecurityProfileCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  ListThingGroupsForThingCommand,
  type Behavior,
} from '@aws-sdk/client-iot';
import { ROLE } from '../harness.js';
import { injectViolations } from '../operations/mitigation-helpers.js';
import { shot, useConsole } from './browser.js';

const THING = 'chatty-1';
const PROFILE = 'too-chatty';
const BEHAVIOR: Behavior = { name: 'messages-sent', metric: 'aws:num-messages-sent', criteria: { comparisonOperator: 'greater-than', value: { count: 10 }, durationSeconds: 300 } };

describe('console: detect violations to a quarantined thing (Chromium)', () => {
  const c = useConsole('warden-console-detect-', {}, {
    async setup({ url, client }) {
      await client.send(new CreateSecurityProfileCommand({ securityProfileName: PROFILE, securityProfileDescription: 'Devices that send too much', behaviors: [BEHAVIOR] }));
      await client.send(new CreateThingCommand({ thingName: THING }));
      await client.send(new CreateThingCommand({ thingName: 'quiet-1' }));
      await client.send(new CreateThingGroupCommand({ thingGroupName: 'quarantine' }));
      await client.send(new CreateMitigationActionCommand({ actionName: 'quarantine-it', roleArn: ROLE, actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } } }));
      await injectViolations(url, [{ thingName: THING, securityProfileName: PROFILE, behavior: BEHAVIOR, lastViolationValue: { count: 57 } }]);
    },
  });

  test('the dashboard counts the violation by profile and behavior', async () => {
    const table = c.page.getByRole('table', { name: /By security profile and behavior/ });
    await table.waitFor();
    assert.match(await table.innerText(), /too-chatty\s+messages-sent\s+1/);
  });

  test('the Detect page shows the profile, its behaviors and the active violation', async () => {
    await c.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Detect' }).click();
    await c.page.getByRole('button', { name: PROFILE }).click();
    const behaviors = c.page.getByRole('table', { name: 'Behaviors' });
    await behaviors.waitFor();
    assert.match(await behaviors.innerText(), /messages-sent\s+aws:num-messages-sent/);
    const row = c.page.getByRole('table', { name: 'Active violations' }).getByRole('row', { name: new RegExp(THING) });
    await row.waitFor();
    assert.match(await row.innerText(), /too-chatty\s+messages-sent \(aws:num-messages-sent\)\s+57/);
    await c.page.getByRole('button', { name: 'Chart' }).click();
    await c.page.getByRole('heading', { name: `messages-sent for ${THING}` }).waitFor();
    const history = c.page.getByRole('table', { name: 'Violation events' });
    assert.match(await history.innerText(), /in-alarm\s+chatty-1\s+too-chatty\s+messages-sent/);
    await shot(c.page, '20-detect');
  });

  test('the user sets a verification state', async () => {
    const select = c.page.getByLabel(/^Verification state of/);
    await select.selectOption('TRUE_POSITIVE');
    await c.page.waitForFunction(() => (document.querySelector('select[aria-label^="Verification state of"]') as HTMLSelectElement | null)?.value === 'TRUE_POSITIVE');
  });

  test('a detect mitigation task quarantines the thing', async () => {
    await c.page.getByLabel(/^Select violation/).check();
    await c.page.getByRole('heading', { name: '1 violation selected' }).waitFor();
    await c.page.getByLabel('Mitigation action').locator('option', { hasText: 'quarantine-it' }).waitFor({ state: 'attached' });
    await c.page.getByLabel('Mitigation action').selectOption('quarantine-it');
    await c.page.getByRole('button', { name: 'Start detect mitigation task' }).click();
    await c.page.waitForURL(/\/console\/detect\/tasks\/console-/);
    await c.page.locator('p .status', { hasText: 'SUCCESSFUL' }).waitFor({ timeout: 30_000 });
    const executions = c.page.locator('table', { has: c.page.getByRole('columnheader', { name: 'Violation' }) });
    await executions.locator('tbody tr').first().waitFor();
    assert.match(await executions.innerText(), new RegExp(`${THING}\\s+\\S+\\s+quarantine-it\\s+SUCCESSFUL`));
    await shot(c.page, '21-detect-task');
    await c.page.getByRole('link', { name: THING }).click();
    await c.page.getByTestId('thing-groups').getByRole('link', { name: 'quarantine' }).waitFor();
    await shot(c.page, '22-thing');
    await c.page.getByTestId('thing-groups').getByRole('link', { name: 'quarantine' }).click();
    await c.page.getByTestId('group-members').getByRole('link', { name: THING }).waitFor();
    assert.equal(await c.page.getByTestId('group-members').getByRole('link').count(), 1, 'only the violating thing is quarantined');
    await shot(c.page, '23-thing-group');
    const groups = await c.client.send(new ListThingGroupsForThingCommand({ thingName: THING }));
    assert.deepEqual(groups.thingGroups?.map((g) => g.groupName), ['quarantine']);
    assert.deepEqual(c.errors, []);
  });
});
