// Scheduled audits on the Audit page, in Chromium: the create form's choices are the model's
// (frequency, day of the week, the days of the month its pattern allows), it asks for the day the
// frequency needs, and it calls CreateScheduledAudit with the checks picked among the enabled ones;
// AWS's refusal of a second audit of the same name is shown; Delete calls DeleteScheduledAudit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { DescribeScheduledAuditCommand, ListScheduledAuditsCommand, UpdateAccountAuditConfigurationCommand } from '@aws-sdk/client-iot';
import { ROLE, ROOT } from '../harness.js';
import { shot, useConsole } from './browser.js';

const model = JSON.parse(readFileSync(join(ROOT, 'model', 'iot-2015-05-28.json'), 'utf8')) as { shapes: Record<string, { enum?: string[] }> };
const CERT = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';
const POLICY = 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK';

describe('console: scheduled audits created and deleted (Chromium)', () => {
  const c = useConsole('warden-console-scheduled-', { engine: false }, {
    async setup({ url, client }) {
      await client.send(new UpdateAccountAuditConfigurationCommand({ roleArn: ROLE, auditCheckConfigurations: { [CERT]: { enabled: true }, [POLICY]: { enabled: true } } }));
    },
  });

  const form = () => c.page.locator('form', { has: c.page.getByRole('heading', { name: 'Schedule an audit' }) });
  const options = (label: string) => form().getByLabel(label).locator('option').allTextContents();
  const create = async (message: string) => {
    await form().getByRole('button', { name: 'Create scheduled audit' }).click();
    await c.page.getByRole('status').getByText(message).waitFor();
  };

  before(async () => {
    await c.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Audit' }).click();
    await c.page.getByRole('heading', { name: 'Schedule an audit' }).waitFor();
  });

  test('the form offers the model choices and the day each frequency needs', async () => {
    await c.page.getByText('No scheduled audit.').waitFor();
    assert.deepEqual(await options('Frequency'), model.shapes.AuditFrequency.enum);
    assert.equal(await form().getByLabel('Frequency').inputValue(), 'DAILY');
    assert.equal(await form().getByLabel('Day of the week').count(), 0);
    assert.equal(await form().getByLabel('Day of the month').count(), 0);
    await form().getByLabel('Frequency').selectOption('BIWEEKLY');
    assert.deepEqual(await options('Day of the week'), model.shapes.DayOfWeek.enum);
    await form().getByLabel('Frequency').selectOption('MONTHLY');
    assert.equal(await form().getByLabel('Day of the week').count(), 0);
    const days = await options('Day of the month');
    assert.deepEqual(days, [...Array.from({ length: 31 }, (_, i) => String(i + 1)), 'LAST'], 'the days DayOfMonth pattern allows');
    // Only the enabled checks can be targets, all ticked to start with.
    const checks = form().getByRole('group', { name: 'Checks to run' }).getByRole('checkbox');
    assert.equal(await checks.count(), 2);
    assert.deepEqual(await checks.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked)), [true, true]);
    const name = form().getByLabel('Scheduled audit name');
    await name.fill('every night');
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    await name.fill('nightly');
    assert.equal(await name.getAttribute('aria-invalid'), null);
    await form().getByLabel('Frequency').selectOption('DAILY');
  });

  test('daily, weekly and monthly audits are created with CreateScheduledAudit', async () => {
    await create('Created the scheduled audit nightly.');
    let d = await c.client.send(new DescribeScheduledAuditCommand({ scheduledAuditName: 'nightly' }));
    assert.equal(d.frequency, 'DAILY');
    assert.equal(d.dayOfWeek, undefined);
    assert.equal(d.dayOfMonth, undefined);
    assert.deepEqual([...(d.targetCheckNames ?? [])].sort(), [CERT, POLICY]);

    await form().getByLabel('Scheduled audit name').fill('fridays');
    await form().getByLabel('Frequency').selectOption('WEEKLY');
    await form().getByLabel('Day of the week').selectOption('FRI');
    await form().getByRole('checkbox', { name: /^IoT policy overly permissive/ }).uncheck();
    await create('Created the scheduled audit fridays.');
    d = await c.client.send(new DescribeScheduledAuditCommand({ scheduledAuditName: 'fridays' }));
    assert.equal(d.frequency, 'WEEKLY');
    assert.equal(d.dayOfWeek, 'FRI');
    assert.deepEqual(d.targetCheckNames, [CERT]);

    await form().getByLabel('Scheduled audit name').fill('month-end');
    await form().getByLabel('Frequency').selectOption('MONTHLY');
    await form().getByLabel('Day of the month').selectOption('LAST');
    await create('Created the scheduled audit month-end.');
    d = await c.client.send(new DescribeScheduledAuditCommand({ scheduledAuditName: 'month-end' }));
    assert.equal(d.frequency, 'MONTHLY');
    assert.equal(d.dayOfMonth, 'LAST');

    const rows = c.page.locator('table', { has: c.page.getByRole('columnheader', { name: 'Frequency' }) }).locator('tbody tr');
    await c.page.getByRole('cell', { name: 'month-end', exact: true }).waitFor(); // the list reloads after the notice
    for (const end = Date.now() + 5000; (await rows.count()) !== 3 && Date.now() < end; ) await c.page.waitForTimeout(50);
    assert.deepEqual((await rows.allInnerTexts()).map((r) => r.split('\t').slice(0, 3).join(' ').trim()).sort(), ['fridays WEEKLY FRI', 'month-end MONTHLY LAST', 'nightly DAILY —']);
    await shot(c.page, '36-scheduled-audits');
  });

  test("a name already taken gets AWS's message; Delete removes an audit", async () => {
    await form().getByLabel('Scheduled audit name').fill('nightly');
    await form().getByRole('button', { name: 'Create scheduled audit' }).click();
    await form().getByRole('alert').getByText(/^ResourceAlreadyExistsException: A scheduled audit named nightly already exists\./).waitFor();

    c.page.once('dialog', (dialog) => void dialog.accept());
    await c.page.getByRole('button', { name: 'Delete nightly' }).click();
    await c.page.getByRole('status').getByText('Deleted nightly.').waitFor();
    await c.page.getByRole('cell', { name: 'nightly', exact: true }).waitFor({ state: 'detached' });
    const left = await c.client.send(new ListScheduledAuditsCommand({}));
    assert.deepEqual(left.scheduledAudits?.map((a) => a.scheduledAuditName).sort(), ['fridays', 'month-end']);
    // The refused create is the one error the page was expected to log (a 409 from the API).
    assert.deepEqual(c.errors.filter((e) => !/status of 409/.test(e)), []);
  });
});
