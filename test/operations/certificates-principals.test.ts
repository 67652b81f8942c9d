// Thing principals through @aws-sdk/client-iot on both backends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachThingPrincipalCommand,
  CreateThingCommand,
  DetachThingPrincipalCommand,
  ListPrincipalThingsCommand,
  ListPrincipalThingsV2Command,
  ListThingPrincipalsCommand,
  ListThingPrincipalsV2Command,
  RegisterCertificateWithoutCACommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running } from '../harness.js';
import { assertFails, makeSelfSigned } from './certificates-helpers.js';
import { exactly } from './messages-helpers.js';

const COGNITO = 'us-east-1:7b5d3a59-1f5b-4c7e-9b7e-2f6f0c2a1d11';

for (const backend of BACKENDS) {
  describe(`thing principals through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: IoTClient;
    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    async function certificate(): Promise<string> {
      return (await client.send(new RegisterCertificateWithoutCACommand({ certificatePem: await makeSelfSigned(), status: 'ACTIVE' }))).certificateArn!;
    }

    async function things(...names: string[]): Promise<void> {
      for (const thingName of names) await client.send(new CreateThingCommand({ thingName }));
    }

    test('Attach needs an existing thing and, for a certificate ARN, a registered certificate of this account and region', async () => {
      await reset(server.url);
      const arn = await certificate();
      await assertFails(client.send(new AttachThingPrincipalCommand({ thingName: 'ghost', principal: arn })), 'ResourceNotFoundException', 404, /ghost/);
      await things('t1');
      const unknown = `arn:aws:iot:us-east-1:000000000000:cert/${'d'.repeat(64)}`;
      await assertFails(client.send(new AttachThingPrincipalCommand({ thingName: 't1', principal: unknown })), 'ResourceNotFoundException', 404, /certificate given in the principal does not exist/);
      const otherRegion = arn.replace('us-east-1', 'eu-west-1');
      await assertFails(client.send(new AttachThingPrincipalCommand({ thingName: 't1', principal: otherRegion })), 'ResourceNotFoundException', 404);
      await assertFails(client.send(new ListPrincipalThingsCommand({ principal: unknown })), 'ResourceNotFoundException', 404);
      await client.send(new AttachThingPrincipalCommand({ thingName: 't1', principal: arn }));
      await client.send(new AttachThingPrincipalCommand({ thingName: 't1', principal: arn }));
      await client.send(new AttachThingPrincipalCommand({ thingName: 't1', principal: COGNITO }));
      assert.deepEqual((await client.send(new ListThingPrincipalsCommand({ thingName: 't1' }))).principals, [arn, COGNITO].sort());
      assert.deepEqual((await client.send(new ListPrincipalThingsCommand({ principal: COGNITO }))).things, ['t1']);
    });

    test('ListThingPrincipals and ListPrincipalThings page in order with nextToken; an unknown thing is not found', async () => {
      await reset(server.url);
      const arns = [await certificate(), await certificate(), await certificate()];
      await things('a', 'b', 'c', 'd', 'e');
      for (const arn of arns) await client.send(new AttachThingPrincipalCommand({ thingName: 'c', principal: arn }));
      for (const t of ['e', 'a', 'd', 'b']) await client.send(new AttachThingPrincipalCommand({ thingName: t, principal: arns[0] }));

      const principals: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new ListThingPrincipalsCommand({ thingName: 'c', maxResults: 2, nextToken }));
        assert.ok(page.principals!.length <= 2);
        principals.push(...page.principals!);
        nextToken = page.nextToken;
      } while (nextToken);
      assert.deepEqual(principals, [...arns].sort());

      const named: string[] = [];
      do {
        const page = await client.send(new ListPrincipalThingsCommand({ principal: arns[0], maxResults: 2, nextToken }));
        named.push(...page.things!);
        nextToken = page.nextToken;
      } while (nextToken);
      assert.deepEqual(named, ['a', 'b', 'c', 'd', 'e']);
      const noThing = exactly('Failed to list principals for thing nope because the thing does not exist in your account');
      await assertFails(client.send(new ListThingPrincipalsCommand({ thingName: 'nope' })), 'ResourceNotFoundException', 404, noThing);
      await assertFails(client.send(new ListThingPrincipalsV2Command({ thingName: 'nope' })), 'ResourceNotFoundException', 404, noThing);
      await assertFails(client.send(new ListThingPrincipalsCommand({ thingName: 'c', nextToken: 'garbage' })), 'InvalidRequestException', 400, /nextToken/);

      await client.send(new DetachThingPrincipalCommand({ thingName: 'c', principal: arns[0] }));
      await client.send(new DetachThingPrincipalCommand({ thingName: 'c', principal: arns[0] }));
      assert.deepEqual((await client.send(new ListPrincipalThingsCommand({ principal: arns[0] }))).things, ['a', 'b', 'd', 'e']);
      await assertFails(client.send(new DetachThingPrincipalCommand({ thingName: 'nope', principal: arns[0] })), 'ResourceNotFoundException', 404);
    });

    test('EXCLUSIVE_THING: an exclusive principal has one thing, and is refused next to other things; V2 lists show the type', async () => {
      await reset(server.url);
      const [solo, shared] = [await certificate(), await certificate()];
      await things('t1', 't2', 't3');
      await client.send(new AttachThingPrincipalCommand({ thingName: 't1', principal: solo, thingPrincipalType: 'EXCLUSIVE_THING' }));
      await assertFails(client.send(new AttachThingPrincipalCommand({ thingName: 't2', principal: solo })), 'InvalidRequestException', 400, /exclusively to thing t1/);
      await assertFails(
        client.send(new AttachThingPrincipalCommand({ thingName: 't2', principal: solo, thingPrincipalType: 'EXCLUSIVE_THING' })),
        'InvalidRequestException',
        400,
        /exclusively/,
      );
      await client.send(new AttachThingPrincipalCommand({ thingName: 't1', principal: solo, thingPrincipalType: 'EXCLUSIVE_THING' }));

      await client.send(new AttachThingPrincipalCommand({ thingName: 't1', principal: shared }));
      await client.send(new AttachThingPrincipalCommand({ thingName: 't2', principal: shared, thingPrincipalType: 'NON_EXCLUSIVE_THING' }));
      await assertFails(
        client.send(new AttachThingPrincipalCommand({ thingName: 't3', principal: shared, thingPrincipalType: 'EXCLUSIVE_THING' })),
        'InvalidRequestException',
        400,
        /already attached to t1, t2/,
      );

      const v2 = await client.send(new ListThingPrincipalsV2Command({ thingName: 't1' }));
      const byPrincipal = Object.fromEntries(v2.thingPrincipalObjects!.map((o) => [o.principal, o.thingPrincipalType]));
      assert.deepEqual(byPrincipal, { [solo]: 'EXCLUSIVE_THING', [shared]: 'NON_EXCLUSIVE_THING' });
      const onlyExclusive = await client.send(new ListThingPrincipalsV2Command({ thingName: 't1', thingPrincipalType: 'EXCLUSIVE_THING' }));
      assert.deepEqual(onlyExclusive.thingPrincipalObjects, [{ principal: solo, thingPrincipalType: 'EXCLUSIVE_THING' }]);
      const p2 = await client.send(new ListPrincipalThingsV2Command({ principal: shared }));
      assert.deepEqual(p2.principalThingObjects, [
        { thingName: 't1', thingPrincipalType: 'NON_EXCLUSIVE_THING' },
        { thingName: 't2', thingPrincipalType: 'NON_EXCLUSIVE_THING' },
      ]);

      await client.send(new DetachThingPrincipalCommand({ thingName: 't1', principal: solo }));
      await client.send(new AttachThingPrincipalCommand({ thingName: 't2', principal: solo }));
      assert.deepEqual((await client.send(new ListPrincipalThingsCommand({ principal: solo }))).things, ['t2']);
    });
  });
}
