// The mitigation action form in Chromium, against the AWS model: its choices are the model's enums,
// text that the model refuses (a name outside [a-zA-Z0-9_-]+, a role ARN under 20 characters, more
// than 10 thing groups) is flagged as typed, and a refused name sent anyway comes back with the
// server's AWS message; then one action of each of the six types is created, and one edited, in the form.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { CreateThingGroupCommand, DescribeMitigationActionCommand, ListMitigationActionsCommand, type IoTClient, type MitigationActionParams } from '@aws-sdk/client-iot';
import { ROOT } from '../harness.js';
import { shot, useConsole } from './browser.js';

const ROLE = 'arn:aws:iam::000000000000:role/form-role';
const model = JSON.parse(readFileSync(join(ROOT, 'model', 'iot-2015-05-28.json'), 'utf8')) as { shapes: Record<string, { enum?: string[] }> };

describe('console: mitigation action forms follow the AWS model (Chromium)', () => {
  const c = useConsole('warden-console-forms-', { engine: false }, {
    async setup({ url, client }) {
      await client.send(new CreateThingGroupCommand({ thingGroupName: 'quarantine' }));
      await client.send(new CreateThingGroupCommand({ thingGroupName: 'watch' }));
    },
  });

  const form = () => c.page.locator('form', { has: c.page.getByRole('heading', { name: /^(Create a mitigation action|Edit )/ }) });
  const options = (label: string) => form().getByLabel(label).locator('option').allTextContents();
  /** The problems shown under the field labelled `label` (through its aria-describedby), or '' when it is not flagged. */
  const problems = async (label: string) => {
    const input = form().getByLabel(label, { exact: true });
    if ((await input.getAttribute('aria-invalid')) !== 'true') return '';
    const ids = (await input.getAttribute('aria-describedby'))!.split(' ');
    return c.page.locator(`[id="${ids[ids.length - 1]}"]`).innerText();
  };

  before(async () => {
    await c.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Mitigation' }).click();
    await c.page.getByRole('heading', { name: 'Create a mitigation action' }).waitFor();
  });

  test('the choices are the model enums', async () => {
    assert.deepEqual(await options('Type'), model.shapes.MitigationActionType.enum);
    await form().getByLabel('Type').selectOption('ENABLE_IOT_LOGGING');
    assert.deepEqual(await options('Log level'), model.shapes.LogLevel.enum);
    await form().getByLabel('Type').selectOption('REPLACE_DEFAULT_POLICY_VERSION');
    assert.deepEqual(await options('Policy template'), model.shapes.PolicyTemplateName.enum);
    await form().getByLabel('Type').selectOption('UPDATE_CA_CERTIFICATE');
    assert.deepEqual(await options('CA certificate action'), model.shapes.CACertificateUpdateAction.enum);
    await form().getByLabel('Type').selectOption('UPDATE_DEVICE_CERTIFICATE');
    assert.deepEqual(await options('Certificate action'), model.shapes.DeviceCertificateUpdateAction.enum);
  });

  test('what the model refuses is flagged as typed; a bad name sent anyway gets the server message', async () => {
    const name = form().getByLabel('Name', { exact: true });
    await name.fill('bad name!');
    assert.equal(await problems('Name'), 'Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+');
    await name.fill('x'.repeat(129));
    assert.equal(await problems('Name'), 'Member must have length less than or equal to 128');
    await name.fill('good_name-1');
    assert.equal(await problems('Name'), '');
    const role = form().getByLabel('Role ARN', { exact: true });
    await role.fill('arn:aws:iam::short');
    assert.equal(await problems('Role ARN'), 'Member must have length greater than or equal to 20');
    await role.fill(ROLE);
    assert.equal(await problems('Role ARN'), '');
    await form().getByLabel('Type').selectOption('ADD_THINGS_TO_THING_GROUP');
    const groups = form().getByLabel('Thing groups (comma-separated)');
    await groups.fill(Array.from({ length: 11 }, (_, i) => `g${i}`).join(', '));
    assert.equal(await problems('Thing groups (comma-separated)'), 'Member must have length less than or equal to 10');
    await groups.fill('quarantine, no spaces');
    assert.equal(await problems('Thing groups (comma-separated)'), 'no spaces: Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+');
    await groups.fill('quarantine');
    assert.equal(await problems('Thing groups (comma-separated)'), '');

    await name.fill('bad name!');
    await shot(c.page, '34-action-form-flagged');
    await c.page.getByRole('button', { name: 'Create action' }).click();
    const alert = form().getByRole('alert');
    await alert.waitFor();
    assert.equal(
      await alert.innerText(),
      "InvalidRequestException: 1 validation error detected: Value 'bad name!' at 'actionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+",
    );
    assert.deepEqual((await c.client.send(new ListMitigationActionsCommand({}))).actionIdentifiers, []);
  });

  test('one action of each type is created in the form, and one edited', async () => {
    const made: [string, string, (f: ReturnType<typeof form>) => Promise<void>, MitigationActionParams][] = [
      ['device-off', 'UPDATE_DEVICE_CERTIFICATE', async () => {}, { updateDeviceCertificateParams: { action: 'DEACTIVATE' } }],
      ['ca-off', 'UPDATE_CA_CERTIFICATE', async () => {}, { updateCACertificateParams: { action: 'DEACTIVATE' } }],
      ['to-groups', 'ADD_THINGS_TO_THING_GROUP', async (f) => {
        await f.getByLabel('Thing groups (comma-separated)').fill('quarantine, watch');
        await f.getByLabel('Override dynamic groups').check();
      }, { addThingsToThingGroupParams: { thingGroupNames: ['quarantine', 'watch'], overrideDynamicGroups: true } }],
      ['blank-it', 'REPLACE_DEFAULT_POLICY_VERSION', async () => {}, { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } }],
      ['log-on', 'ENABLE_IOT_LOGGING', async (f) => {
        await f.getByLabel('Role ARN for logging').fill('arn:aws:iam::000000000000:role/form-logging');
        await f.getByLabel('Log level').selectOption('INFO');
      }, { enableIoTLoggingParams: { roleArnForLogging: 'arn:aws:iam::000000000000:role/form-logging', logLevel: 'INFO' } }],
      ['tell-sns', 'PUBLISH_FINDING_TO_SNS', async (f) => {
        await f.getByLabel('Topic ARN').fill('arn:aws:sns:us-east-1:000000000000:form-topic');
      }, { publishFindingToSnsParams: { topicArn: 'arn:aws:sns:us-east-1:000000000000:form-topic' } }],
    ];
    for (const [actionName, type, fill, params] of made) {
      await form().getByLabel('Name', { exact: true }).fill(actionName);
      await form().getByLabel('Type').selectOption(type);
      await form().getByLabel('Role ARN', { exact: true }).fill(ROLE);
      await fill(form());
      await c.page.getByRole('button', { name: 'Create action' }).click();
      await c.page.getByRole('status').getByText(`Created ${actionName}.`).waitFor();
      const d = await c.client.send(new DescribeMitigationActionCommand({ actionName }));
      assert.equal(d.actionType, type);
      assert.equal(d.roleArn, ROLE);
      assert.deepEqual(d.actionParams, params, actionName);
    }

    await c.page.getByRole('button', { name: 'Edit log-on' }).click();
    await c.page.getByRole('heading', { name: 'Edit log-on' }).waitFor();
    assert.equal(await form().getByLabel('Log level').inputValue(), 'INFO');
    assert.equal(await form().getByLabel('Type').isDisabled(), true);
    await form().getByLabel('Log level').selectOption('WARN');
    await form().getByLabel('Role ARN for logging').fill('arn:aws:iam::000000000000:role/edited-logging');
    await c.page.getByRole('button', { name: 'Save action' }).click();
    await c.page.getByRole('status').getByText('Updated log-on.').waitFor();
    const edited = await c.client.send(new DescribeMitigationActionCommand({ actionName: 'log-on' }));
    assert.deepEqual(edited.actionParams, { enableIoTLoggingParams: { roleArnForLogging: 'arn:aws:iam::000000000000:role/edited-logging', logLevel: 'WARN' } });
    await shot(c.page, '35-six-actions');
    // The refused create is the one error the page was expected to log (a 400 from the API).
    assert.deepEqual(c.errors.filter((e) => !/status of 400/.test(e)), []);
  });
});
