import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateMitigationActionCommand,
  DeleteMitigationActionCommand,
  DescribeMitigationActionCommand,
  IoTServiceException,
  ListMitigationActionsCommand,
  UpdateMitigationActionCommand,
  paginateListMitigationActions,
} from '@aws-sdk/client-iot';
import { BACKENDS, failure, iot, reset, ROLE, sampleActionParams, startServer, type Running } from '../harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ALL_SIX = {
  'cert-off': { updateDeviceCertificateParams: { action: 'DEACTIVATE' } },
  'ca-off': { updateCACertificateParams: { action: 'DEACTIVATE' } },
  quarantine: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'], overrideDynamicGroups: true } },
  'blank-policy': { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } },
  'logging-on': { enableIoTLoggingParams: { roleArnForLogging: 'arn:aws:iam::000000000000:role/logs', logLevel: 'ERROR' } },
  'tell-sns': { publishFindingToSnsParams: { topicArn: 'arn:aws:sns:us-east-1:000000000000:findings' } },
} as const;
const TYPES: Record<keyof typeof ALL_SIX, string> = {
  'cert-off': 'UPDATE_DEVICE_CERTIFICATE',
  'ca-off': 'UPDATE_CA_CERTIFICATE',
  quarantine: 'ADD_THINGS_TO_THING_GROUP',
  'blank-policy': 'REPLACE_DEFAULT_POLICY_VERSION',
  'logging-on': 'ENABLE_IOT_LOGGING',
  'tell-sns': 'PUBLISH_FINDING_TO_SNS',
};

for (const backend of BACKENDS) {
  describe(`mitigation actions through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('create and describe all six types; actionType derived from the params', async () => {
      await reset(server.url);
      for (const [name, params] of Object.entries(ALL_SIX)) {
        const before = Date.now();
        const created = await client.send(new CreateMitigationActionCommand({ actionName: name, roleArn: ROLE, actionParams: params as never }));
        assert.equal(created.actionArn, `arn:aws:iot:us-east-1:000000000000:mitigationaction/${name}`);
        assert.match(created.actionId!, UUID);
        const d = await client.send(new DescribeMitigationActionCommand({ actionName: name }));
        assert.equal(d.actionName, name);
        assert.equal(d.actionType, TYPES[name as keyof typeof ALL_SIX]);
        assert.equal(d.actionArn, created.actionArn);
        assert.equal(d.actionId, created.actionId);
        assert.equal(d.roleArn, ROLE);
        assert.deepEqual(d.actionParams, params);
        assert.ok(d.creationDate instanceof Date);
        assert.ok(Math.abs(d.creationDate!.getTime() - before) < 5000);
        assert.equal(d.lastModifiedDate!.getTime(), d.creationDate!.getTime());
      }
    });

    test('create with an existing name: identical parameters succeed with the same ids, different ones conflict', async () => {
      await reset(server.url);
      const first = await client.send(new CreateMitigationActionCommand({ actionName: 'a', roleArn: ROLE, actionParams: sampleActionParams }));
      const again = await client.send(new CreateMitigationActionCommand({ actionName: 'a', roleArn: ROLE, actionParams: sampleActionParams }));
      assert.deepEqual({ ...again, $metadata: undefined }, { ...first, $metadata: undefined });
      const e = await failure(client.send(new CreateMitigationActionCommand({ actionName: 'a', roleArn: `${ROLE}2`, actionParams: sampleActionParams })));
      assert.equal(e.name, 'ResourceAlreadyExistsException');
      assert.equal(e.$metadata.httpStatusCode, 409);
      assert.equal(e.resourceId, first.actionId);
      assert.equal(e.resourceArn, first.actionArn);
      const e2 = await failure(
        client.send(new CreateMitigationActionCommand({ actionName: 'a', roleArn: ROLE, actionParams: { updateCACertificateParams: { action: 'DEACTIVATE' } } })),
      );
      assert.equal(e2.name, 'ResourceAlreadyExistsException');
    });

    test('exactly one params member; DISABLED logging is refused', async () => {
      await reset(server.url);
      const none = await failure(client.send(new CreateMitigationActionCommand({ actionName: 'n', roleArn: ROLE, actionParams: {} })));
      assert.equal(none.name, 'InvalidRequestException');
      assert.equal(none.$metadata.httpStatusCode, 400);
      assert.match(none.message, /actionParams must set exactly one/);
      const two = await failure(
        client.send(
          new CreateMitigationActionCommand({
            actionName: 'n',
            roleArn: ROLE,
            actionParams: { ...sampleActionParams, updateCACertificateParams: { action: 'DEACTIVATE' } },
          }),
        ),
      );
      assert.match(two.message, /it sets updateDeviceCertificateParams, updateCACertificateParams/);
      const disabled = await failure(
        client.send(
          new CreateMitigationActionCommand({ actionName: 'n', roleArn: ROLE, actionParams: { enableIoTLoggingParams: { roleArnForLogging: ROLE, logLevel: 'DISABLED' } } }),
        ),
      );
      assert.equal(disabled.name, 'InvalidRequestException');
      assert.match(disabled.message, /logLevel cannot be DISABLED/);
      const stored = await client.send(new ListMitigationActionsCommand({}));
      assert.deepEqual(stored.actionIdentifiers, []);
    });

    test('the 101st action answers LimitExceededException (410) and is not stored', async () => {
      await reset(server.url);
      for (let i = 0; i < 100; i++) {
        await client.send(new CreateMitigationActionCommand({ actionName: `a${String(i).padStart(3, '0')}`, roleArn: ROLE, actionParams: sampleActionParams }));
      }
      const e = await failure(client.send(new CreateMitigationActionCommand({ actionName: 'one-too-many', roleArn: ROLE, actionParams: sampleActionParams })));
      assert.equal(e.name, 'LimitExceededException');
      assert.equal(e.$metadata.httpStatusCode, 410);
      await failure(client.send(new DescribeMitigationActionCommand({ actionName: 'one-too-many' })));
      // Re-creating an existing one is still fine at the limit.
      await client.send(new CreateMitigationActionCommand({ actionName: 'a000', roleArn: ROLE, actionParams: sampleActionParams }));
    });

    test('list: name order, actionType filter, pages of maxResults with an opaque nextToken', async () => {
      await reset(server.url);
      for (const [name, params] of Object.entries(ALL_SIX)) {
        await client.send(new CreateMitigationActionCommand({ actionName: name, roleArn: ROLE, actionParams: params as never }));
      }
      for (let i = 0; i < 30; i++) {
        await client.send(new CreateMitigationActionCommand({ actionName: `z${String(i).padStart(2, '0')}`, roleArn: ROLE, actionParams: sampleActionParams }));
      }
      const firstPage = await client.send(new ListMitigationActionsCommand({}));
      assert.equal(firstPage.actionIdentifiers!.length, 25, 'default page is 25');
      assert.ok(firstPage.nextToken);
      const names: string[] = [];
      for await (const page of paginateListMitigationActions({ client, pageSize: 7 }, {})) {
        assert.ok(page.actionIdentifiers!.length <= 7);
        for (const a of page.actionIdentifiers!) {
          names.push(a.actionName!);
          assert.equal(a.actionArn, `arn:aws:iot:us-east-1:000000000000:mitigationaction/${a.actionName}`);
          assert.ok(a.creationDate instanceof Date);
        }
      }
      assert.equal(names.length, 36);
      assert.deepEqual(names, [...names].sort());
      const certs = await client.send(new ListMitigationActionsCommand({ actionType: 'UPDATE_DEVICE_CERTIFICATE', maxResults: 250 }));
      assert.equal(certs.actionIdentifiers!.length, 31);
      assert.equal(certs.nextToken, undefined);
      const sns = await client.send(new ListMitigationActionsCommand({ actionType: 'PUBLISH_FINDING_TO_SNS' }));
      assert.deepEqual(sns.actionIdentifiers!.map((a) => a.actionName), ['tell-sns']);
      const bad = await failure(client.send(new ListMitigationActionsCommand({ nextToken: 'not-a-token' })));
      assert.equal(bad.name, 'InvalidRequestException');
      assert.match(bad.message, /nextToken/);
      const tooMany = await failure(client.send(new ListMitigationActionsCommand({ maxResults: 251 })));
      assert.match(tooMany.message, /at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 250/);
    });

    test('update: roleArn and params, type follows params, ids and creation date stay; missing action is 404', async () => {
      await reset(server.url);
      const created = await client.send(new CreateMitigationActionCommand({ actionName: 'u', roleArn: ROLE, actionParams: sampleActionParams }));
      const before = await client.send(new DescribeMitigationActionCommand({ actionName: 'u' }));
      await new Promise((r) => setTimeout(r, 20));
      const updated = await client.send(
        new UpdateMitigationActionCommand({ actionName: 'u', roleArn: `${ROLE}-new`, actionParams: { publishFindingToSnsParams: { topicArn: 'arn:aws:sns:us-east-1:000000000000:t' } } }),
      );
      assert.equal(updated.actionArn, created.actionArn);
      assert.equal(updated.actionId, created.actionId);
      const after = await client.send(new DescribeMitigationActionCommand({ actionName: 'u' }));
      assert.equal(after.actionType, 'PUBLISH_FINDING_TO_SNS');
      assert.equal(after.roleArn, `${ROLE}-new`);
      assert.equal(after.creationDate!.getTime(), before.creationDate!.getTime());
      assert.ok(after.lastModifiedDate!.getTime() > before.lastModifiedDate!.getTime());
      await client.send(new UpdateMitigationActionCommand({ actionName: 'u', roleArn: ROLE }));
      const roleOnly = await client.send(new DescribeMitigationActionCommand({ actionName: 'u' }));
      assert.equal(roleOnly.actionType, 'PUBLISH_FINDING_TO_SNS');
      assert.equal(roleOnly.roleArn, ROLE);
      const missing = await failure(client.send(new UpdateMitigationActionCommand({ actionName: 'nope', roleArn: ROLE })));
      assert.equal(missing.name, 'ResourceNotFoundException');
      assert.equal(missing.$metadata.httpStatusCode, 404);
      const disabled = await failure(
        client.send(new UpdateMitigationActionCommand({ actionName: 'u', actionParams: { enableIoTLoggingParams: { roleArnForLogging: ROLE, logLevel: 'DISABLED' } } })),
      );
      assert.equal(disabled.name, 'InvalidRequestException');
      assert.equal((await client.send(new DescribeMitigationActionCommand({ actionName: 'u' }))).actionType, 'PUBLISH_FINDING_TO_SNS');
    });

    test('delete: gone afterwards; deleting a missing action succeeds', async () => {
      await reset(server.url);
      await client.send(new CreateMitigationActionCommand({ actionName: 'd', roleArn: ROLE, actionParams: sampleActionParams, tags: [{ Key: 'team', Value: 'sec' }] }));
      await client.send(new DeleteMitigationActionCommand({ actionName: 'd' }));
      const e = await failure(client.send(new DescribeMitigationActionCommand({ actionName: 'd' })));
      assert.equal(e.name, 'ResourceNotFoundException');
      const again = await client.send(new DeleteMitigationActionCommand({ actionName: 'd' }));
      assert.equal(again.$metadata.httpStatusCode, 200);
      await client.send(new DeleteMitigationActionCommand({ actionName: 'never-existed' }));
    });

    test('two accounts, and two regions of one account, never see each other', async () => {
      await reset(server.url);
      const other = iot(server.url, { accessKeyId: 'test', secretAccessKey: 'test' }, 'eu-west-1');
      try {
        await client.send(new CreateMitigationActionCommand({ actionName: 'shared-name', roleArn: ROLE, actionParams: sampleActionParams }));
        const inEu = await other.send(
          new CreateMitigationActionCommand({ actionName: 'shared-name', roleArn: ROLE, actionParams: { updateCACertificateParams: { action: 'DEACTIVATE' } } }),
        );
        assert.equal(inEu.actionArn, 'arn:aws:iot:eu-west-1:000000000000:mitigationaction/shared-name');
        const us = await client.send(new DescribeMitigationActionCommand({ actionName: 'shared-name' }));
        assert.equal(us.actionType, 'UPDATE_DEVICE_CERTIFICATE');
        const eu = await other.send(new DescribeMitigationActionCommand({ actionName: 'shared-name' }));
        assert.equal(eu.actionType, 'UPDATE_CA_CERTIFICATE');
        await other.send(new DeleteMitigationActionCommand({ actionName: 'shared-name' }));
        assert.equal((await client.send(new DescribeMitigationActionCommand({ actionName: 'shared-name' }))).actionName, 'shared-name');
      } finally {
        other.destroy();
      }
    });
  });
}
