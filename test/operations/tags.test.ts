import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateDynamicThingGroupCommand,
  CreateMitigationActionCommand,
  CreatePolicyCommand,
  CreateRoleAliasCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  IoTServiceException,
  ListTagsForResourceCommand,
  RegisterCACertificateCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, ROLE, sampleActionParams, startServer, type Running, failure } from '../harness.js';
import { makeCa } from './certificates-helpers.js';

const ARN = 'arn:aws:iot:us-east-1:000000000000';
const DOC = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] });

type Client = ReturnType<typeof iot>;

/** Each taggable kind of resource, created through the API of the family that owns it; resolves with its ARN. */
const KINDS: Record<string, (c: Client) => Promise<string>> = {
  'mitigation action': async (c) => (await c.send(new CreateMitigationActionCommand({ actionName: 'ma', roleArn: ROLE, actionParams: sampleActionParams }))).actionArn!,
  'thing group': async (c) => (await c.send(new CreateThingGroupCommand({ thingGroupName: 'tg' }))).thingGroupArn!,
  'dynamic thing group': async (c) =>
    (await c.send(new CreateDynamicThingGroupCommand({ thingGroupName: 'dtg', queryString: 'attributes.colour:red' }))).thingGroupArn!,
  'thing type': async (c) => (await c.send(new CreateThingTypeCommand({ thingTypeName: 'tt' }))).thingTypeArn!,
  policy: async (c) => (await c.send(new CreatePolicyCommand({ policyName: 'pol', policyDocument: DOC }))).policyArn!,
  'role alias': async (c) => (await c.send(new CreateRoleAliasCommand({ roleAlias: 'ra', roleArn: ROLE }))).roleAliasArn!,
  'CA certificate': async (c) =>
    (await c.send(new RegisterCACertificateCommand({ caCertificate: (await makeCa()).pem, certificateMode: 'SNI_ONLY' }))).certificateArn!,
};

for (const backend of BACKENDS) {
  describe(`TagResource, UntagResource, ListTagsForResource through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: Client;
    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    for (const [kind, create] of Object.entries(KINDS)) {
      test(`round trip on a ${kind}: tag, overwrite, list in key order, untag`, async () => {
        await reset(server.url);
        const arn = await create(client);
        assert.deepEqual((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, []);
        await client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'b', Value: '1' }, { Key: 'a', Value: '2' }, { Key: 'empty' }, { Key: 'Zed', Value: 'z' }] }));
        await client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'b', Value: 'changed' }] }));
        const listed = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
        // Code-point order on both backends: upper case before lower case.
        assert.deepEqual(listed.tags, [{ Key: 'Zed', Value: 'z' }, { Key: 'a', Value: '2' }, { Key: 'b', Value: 'changed' }, { Key: 'empty', Value: '' }]);
        assert.equal(listed.nextToken, undefined);
        await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a', 'Zed', 'never-there'] }));
        assert.deepEqual((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, [{ Key: 'b', Value: 'changed' }, { Key: 'empty', Value: '' }]);
      });
    }

    test('an ARN that names nothing is ResourceNotFoundException (404); a kind that cannot be tagged is InvalidRequestException', async () => {
      await reset(server.url);
      for (const arn of [`${ARN}:policy/missing`, `${ARN}:thinggroup/missing`, 'arn:aws:iot:eu-west-1:000000000000:policy/pol', `arn:aws:iot:us-east-1:111111111111:rolealias/x`]) {
        for (const call of [
          () => client.send(new ListTagsForResourceCommand({ resourceArn: arn })),
          () => client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'k', Value: 'v' }] })),
          () => client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['k'] })),
        ]) {
          const e = await failure(call());
          assert.equal(e.name, 'ResourceNotFoundException', arn);
          assert.equal(e.$metadata.httpStatusCode, 404);
        }
      }
      await client.send(new CreateThingCommand({ thingName: 'device' }));
      const thing = await failure(client.send(new TagResourceCommand({ resourceArn: `${ARN}:thing/device`, tags: [{ Key: 'k', Value: 'v' }] })));
      assert.equal(thing.name, 'InvalidRequestException');
      assert.match(thing.message, /cannot be tagged/);
      const garbage = await failure(client.send(new ListTagsForResourceCommand({ resourceArn: 'not-an-arn' })));
      assert.equal(garbage.name, 'InvalidRequestException');
    });

    test('at most 50 tags per resource (LimitExceededException 410); aws: keys are reserved', async () => {
      await reset(server.url);
      const arn = await KINDS.policy(client);
      const tags = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${String(from + i).padStart(2, '0')}`, Value: 'v' }));
      await client.send(new TagResourceCommand({ resourceArn: arn, tags: tags(0, 45) }));
      await client.send(new TagResourceCommand({ resourceArn: arn, tags: [...tags(40, 5), ...tags(45, 5)] }));
      const over = await failure(client.send(new TagResourceCommand({ resourceArn: arn, tags: tags(50, 1) })));
      assert.equal(over.name, 'LimitExceededException');
      assert.equal(over.$metadata.httpStatusCode, 410);
      const listed = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
      assert.equal(listed.tags!.length, 50);
      assert.equal(listed.tags![49].Key, 'k49');
      const reserved = await failure(client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'aws:owner', Value: 'x' }] })));
      assert.equal(reserved.name, 'InvalidRequestException');
      const onCreate = await failure(client.send(new CreatePolicyCommand({ policyName: 'many', policyDocument: DOC, tags: tags(0, 51) })));
      assert.equal(onCreate.name, 'InvalidRequestException');
      const badToken = await failure(client.send(new ListTagsForResourceCommand({ resourceArn: arn, nextToken: 'garbage' })));
      assert.equal(badToken.name, 'InvalidRequestException');
    });
  });
}
