import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachPrincipalPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DetachPolicyCommand,
  DetachPrincipalPolicyCommand,
  GetEffectivePoliciesCommand,
  IoTServiceException,
  ListAttachedPoliciesCommand,
  ListPolicyPrincipalsCommand,
  ListPrincipalPoliciesCommand,
  ListTargetsForPolicyCommand,
  paginateListAttachedPolicies,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running, failure } from '../harness.js';

const ARN = 'arn:aws:iot:us-east-1:000000000000';
const COGNITO = 'us-east-1:11111111-2222-3333-4444-555555555555';
const doc = (action: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

type Client = ReturnType<typeof iot>;

async function policies(client: Client, ...names: string[]): Promise<void> {
  for (const n of names) await client.send(new CreatePolicyCommand({ policyName: n, policyDocument: doc(`iot:${n}`) }));
}

/** root <- mid <- leaf, each with its own policy. */
async function hierarchy(client: Client): Promise<Record<'root' | 'mid' | 'leaf', string>> {
  const root = (await client.send(new CreateThingGroupCommand({ thingGroupName: 'root' }))).thingGroupArn!;
  const mid = (await client.send(new CreateThingGroupCommand({ thingGroupName: 'mid', parentGroupName: 'root' }))).thingGroupArn!;
  const leaf = (await client.send(new CreateThingGroupCommand({ thingGroupName: 'leaf', parentGroupName: 'mid' }))).thingGroupArn!;
  await policies(client, 'pRoot', 'pMid', 'pLeaf');
  await client.send(new AttachPolicyCommand({ policyName: 'pRoot', target: root }));
  await client.send(new AttachPolicyCommand({ policyName: 'pMid', target: mid }));
  await client.send(new AttachPolicyCommand({ policyName: 'pLeaf', target: leaf }));
  return { root, mid, leaf };
}

const names = (r: { policies?: { policyName?: string }[] }): string[] => r.policies!.map((p) => p.policyName!);

for (const backend of BACKENDS) {
  describe(`policy attachments and effective policies through @aws-sdk/client-iot (${backend})`, () => {
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

    test('attach to a certificate and a Cognito identity; list both ways; detach', async () => {
      await reset(server.url);
      await policies(client, 'a', 'b');
      const cert = (await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }))).certificateArn!;
      await client.send(new AttachPolicyCommand({ policyName: 'b', target: cert }));
      await client.send(new AttachPolicyCommand({ policyName: 'a', target: cert }));
      await client.send(new AttachPolicyCommand({ policyName: 'a', target: cert }));
      await client.send(new AttachPolicyCommand({ policyName: 'a', target: COGNITO }));
      const attached = await client.send(new ListAttachedPoliciesCommand({ target: cert }));
      assert.deepEqual(attached.policies, [
        { policyName: 'a', policyArn: `${ARN}:policy/a` },
        { policyName: 'b', policyArn: `${ARN}:policy/b` },
      ]);
      assert.deepEqual((await client.send(new ListTargetsForPolicyCommand({ policyName: 'a' }))).targets, [cert, COGNITO].sort());
      await client.send(new DetachPolicyCommand({ policyName: 'a', target: cert }));
      await client.send(new DetachPolicyCommand({ policyName: 'a', target: cert }));
      assert.deepEqual(names(await client.send(new ListAttachedPoliciesCommand({ target: cert }))), ['b']);
      assert.deepEqual((await client.send(new ListTargetsForPolicyCommand({ policyName: 'a' }))).targets, [COGNITO]);
      assert.equal((await failure(client.send(new ListTargetsForPolicyCommand({ policyName: 'nope' })))).name, 'ResourceNotFoundException');
    });

    test('AttachPolicy to a target that does not exist is ResourceNotFoundException; a target of no known kind is InvalidRequestException', async () => {
      await reset(server.url);
      await policies(client, 'p');
      for (const target of [`${ARN}:cert/${'ab'.repeat(32)}`, `${ARN}:thinggroup/ghost`, `arn:aws:iot:eu-west-1:000000000000:thinggroup/ghost`]) {
        const e = await failure(client.send(new AttachPolicyCommand({ policyName: 'p', target })));
        assert.equal(e.name, 'ResourceNotFoundException', target);
        assert.equal(e.$metadata.httpStatusCode, 404);
        assert.match(e.message, /does not exist/);
      }
      const bad = await failure(client.send(new AttachPolicyCommand({ policyName: 'p', target: `${ARN}:thing/device` })));
      assert.equal(bad.name, 'InvalidRequestException');
      assert.equal(bad.$metadata.httpStatusCode, 400);
      const noPolicy = await failure(client.send(new AttachPolicyCommand({ policyName: 'none', target: COGNITO })));
      assert.equal(noPolicy.name, 'ResourceNotFoundException');
      assert.deepEqual((await client.send(new ListTargetsForPolicyCommand({ policyName: 'p' }))).targets, []);
    });

    test('at most 10 policies per target: the 11th is LimitExceededException (410)', async () => {
      await reset(server.url);
      const group = (await client.send(new CreateThingGroupCommand({ thingGroupName: 'g' }))).thingGroupArn!;
      const all = Array.from({ length: 11 }, (_, i) => `p${String(i).padStart(2, '0')}`);
      await policies(client, ...all);
      for (const p of all.slice(0, 10)) await client.send(new AttachPolicyCommand({ policyName: p, target: group }));
      const e = await failure(client.send(new AttachPolicyCommand({ policyName: 'p10', target: group })));
      assert.equal(e.name, 'LimitExceededException');
      assert.equal(e.$metadata.httpStatusCode, 410);
      const seen: string[] = [];
      for await (const page of paginateListAttachedPolicies({ client, pageSize: 3 }, { target: group })) seen.push(...names(page));
      assert.deepEqual(seen, all.slice(0, 10));
    });

    test('ListAttachedPolicies recursive walks up the thing group hierarchy', async () => {
      await reset(server.url);
      const g = await hierarchy(client);
      assert.deepEqual(names(await client.send(new ListAttachedPoliciesCommand({ target: g.leaf }))), ['pLeaf']);
      assert.deepEqual(names(await client.send(new ListAttachedPoliciesCommand({ target: g.leaf, recursive: true }))), ['pLeaf', 'pMid', 'pRoot']);
      assert.deepEqual(names(await client.send(new ListAttachedPoliciesCommand({ target: g.mid, recursive: true }))), ['pMid', 'pRoot']);
      await client.send(new AttachPolicyCommand({ policyName: 'pRoot', target: g.leaf }));
      const page1 = await client.send(new ListAttachedPoliciesCommand({ target: g.leaf, recursive: true, pageSize: 2 }));
      assert.deepEqual(names(page1), ['pLeaf', 'pMid']);
      const page2 = await client.send(new ListAttachedPoliciesCommand({ target: g.leaf, recursive: true, pageSize: 2, marker: page1.nextMarker }));
      assert.deepEqual(names(page2), ['pRoot'], 'a policy attached at two levels is listed once');
      assert.equal(page2.nextMarker, undefined);
    });

    test('GetEffectivePolicies: the principal, the groups of the thing and their ancestors, with default documents', async () => {
      await reset(server.url);
      const g = await hierarchy(client);
      await client.send(new CreateThingCommand({ thingName: 'dev' }));
      await client.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: 'leaf' }));
      await policies(client, 'pCert', 'pOther');
      await client.send(new CreatePolicyVersionCommand({ policyName: 'pMid', policyDocument: doc('iot:MidV2'), setAsDefault: true }));
      const cert = (await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }))).certificateArn!;
      await client.send(new AttachPolicyCommand({ policyName: 'pCert', target: cert }));
      await client.send(new AttachPolicyCommand({ policyName: 'pOther', target: COGNITO }));
      const both = await client.send(new GetEffectivePoliciesCommand({ principal: cert, thingName: 'dev' }));
      assert.deepEqual(both.effectivePolicies, [
        { policyName: 'pCert', policyArn: `${ARN}:policy/pCert`, policyDocument: doc('iot:pCert') },
        { policyName: 'pLeaf', policyArn: `${ARN}:policy/pLeaf`, policyDocument: doc('iot:pLeaf') },
        { policyName: 'pMid', policyArn: `${ARN}:policy/pMid`, policyDocument: doc('iot:MidV2') },
        { policyName: 'pRoot', policyArn: `${ARN}:policy/pRoot`, policyDocument: doc('iot:pRoot') },
      ]);
      const thingOnly = await client.send(new GetEffectivePoliciesCommand({ thingName: 'dev' }));
      assert.deepEqual(thingOnly.effectivePolicies!.map((p) => p.policyName), ['pLeaf', 'pMid', 'pRoot']);
      const principalOnly = await client.send(new GetEffectivePoliciesCommand({ principal: cert }));
      assert.deepEqual(principalOnly.effectivePolicies!.map((p) => p.policyName), ['pCert']);
      assert.equal(g.root.endsWith('thinggroup/root'), true);
      assert.equal((await failure(client.send(new GetEffectivePoliciesCommand({ thingName: 'ghost' })))).name, 'ResourceNotFoundException');
      assert.equal((await failure(client.send(new GetEffectivePoliciesCommand({})))).name, 'InvalidRequestException');
    });

    test('the deprecated principal operations share the same attachments', async () => {
      await reset(server.url);
      await policies(client, 'old', 'new');
      const cert = (await client.send(new CreateKeysAndCertificateCommand({}))).certificateArn!;
      const group = (await client.send(new CreateThingGroupCommand({ thingGroupName: 'grp' }))).thingGroupArn!;
      await client.send(new AttachPrincipalPolicyCommand({ policyName: 'old', principal: cert }));
      await client.send(new AttachPolicyCommand({ policyName: 'new', target: cert }));
      await client.send(new AttachPolicyCommand({ policyName: 'old', target: group }));
      assert.deepEqual(names(await client.send(new ListPrincipalPoliciesCommand({ principal: cert }))), ['new', 'old']);
      assert.deepEqual(names(await client.send(new ListPrincipalPoliciesCommand({ principal: cert, ascendingOrder: false }))), ['old', 'new']);
      assert.deepEqual((await client.send(new ListPolicyPrincipalsCommand({ policyName: 'old' }))).principals, [cert]);
      assert.deepEqual((await client.send(new ListTargetsForPolicyCommand({ policyName: 'old' }))).targets, [cert, group].sort());
      await client.send(new DetachPrincipalPolicyCommand({ policyName: 'old', principal: cert }));
      assert.deepEqual(names(await client.send(new ListAttachedPoliciesCommand({ target: cert }))), ['new']);
    });
  });
}
