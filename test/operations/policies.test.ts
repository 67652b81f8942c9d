import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleAliasCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleAliasCommand,
  DescribeRoleAliasCommand,
  DetachPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IoTServiceException,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRoleAliasesCommand,
  ListTagsForResourceCommand,
  SetDefaultPolicyVersionCommand,
  UpdateRoleAliasCommand,
  paginateListPolicies,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running, failure } from '../harness.js';

const ARN = 'arn:aws:iot:us-east-1:000000000000';
const doc = (action: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const COGNITO = 'us-east-1:11111111-2222-3333-4444-555555555555';
const ROLE = 'arn:aws:iam::000000000000:role/credentials';

for (const backend of BACKENDS) {
  describe(`policies, versions and role aliases through @aws-sdk/client-iot (${backend})`, () => {
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

    test('create and get: version 1 is the default; same name again is 409; tags are stored', async () => {
      await reset(server.url);
      const before = Date.now();
      const created = await client.send(new CreatePolicyCommand({ policyName: 'p1', policyDocument: doc('iot:Connect'), tags: [{ Key: 'team', Value: 'sec' }] }));
      assert.equal(created.policyName, 'p1');
      assert.equal(created.policyArn, `${ARN}:policy/p1`);
      assert.equal(created.policyVersionId, '1');
      assert.equal(created.policyDocument, doc('iot:Connect'));
      const got = await client.send(new GetPolicyCommand({ policyName: 'p1' }));
      assert.equal(got.policyArn, created.policyArn);
      assert.equal(got.policyDocument, doc('iot:Connect'));
      assert.equal(got.defaultVersionId, '1');
      assert.match(got.generationId!, /^[0-9a-f]{64}$/);
      assert.ok(Math.abs(got.creationDate!.getTime() - before) < 5000);
      assert.equal(got.lastModifiedDate!.getTime(), got.creationDate!.getTime());
      const dup = await failure(client.send(new CreatePolicyCommand({ policyName: 'p1', policyDocument: doc('iot:Publish') })));
      assert.equal(dup.name, 'ResourceAlreadyExistsException');
      assert.equal(dup.$metadata.httpStatusCode, 409);
      assert.equal(dup.message, 'Policy cannot be created - name already exists (name=p1)');
      assert.equal(dup.resourceArn, created.policyArn);
      const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: created.policyArn }));
      assert.deepEqual(tags.tags, [{ Key: 'team', Value: 'sec' }]);
      const missing = await failure(client.send(new GetPolicyCommand({ policyName: 'nope' })));
      assert.equal(missing.name, 'ResourceNotFoundException');
      assert.equal(missing.$metadata.httpStatusCode, 404);
    });

    test('malformed documents answer MalformedPolicyException (400) naming the problem; nothing is stored', async () => {
      await reset(server.url);
      const cases: [string, RegExp][] = [
        ['{not json', /not valid JSON/],
        ['[]', /must be a JSON object/],
        [JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }), /no Version/],
        [JSON.stringify({ Version: '2020-01-01', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }), /Version "2020-01-01" is not supported/],
        [JSON.stringify({ Version: '2012-10-17' }), /no Statement/],
        [JSON.stringify({ Version: '2012-10-17', Statement: [] }), /empty list/],
        [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 'iot:*', Resource: '*' }] }), /Statement\[0\]\.Effect must be "Allow" or "Deny"/],
        [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] }), /exactly one of Action and NotAction/],
        [JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'iot:*' } }), /Statement must have exactly one of Resource and NotResource/],
        [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 7, Resource: '*' }] }), /Action must be a string or a non-empty array/],
        [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*', Colour: 'red' }] }), /unsupported element Colour/],
        [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: ['x'.repeat(2100)] }] }), /maximum is 2048/],
        ['   ', /empty/],
      ];
      for (const [document, message] of cases) {
        const e = await failure(client.send(new CreatePolicyCommand({ policyName: 'bad', policyDocument: document })));
        assert.equal(e.name, 'MalformedPolicyException', document);
        assert.equal(e.$metadata.httpStatusCode, 400);
        assert.match(e.message, message);
      }
      assert.equal((await failure(client.send(new GetPolicyCommand({ policyName: 'bad' })))).name, 'ResourceNotFoundException');
      // Accepted: the 2008 language version, a single Statement object, Not* forms, whitespace beyond 2048 characters.
      const ok = [
        JSON.stringify({ Version: '2008-10-17', Statement: { Effect: 'Deny', NotAction: ['iot:Publish'], NotResource: '*', Sid: 's' } }),
        `{"Version":"2012-10-17",${' '.repeat(3000)}"Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*","Condition":{"Bool":{"iot:Connection.Thing.IsAttached":"true"}}}]}`,
      ];
      for (const [i, document] of ok.entries()) await client.send(new CreatePolicyCommand({ policyName: `ok${i}`, policyDocument: document }));
      const malformedVersion = await failure(client.send(new CreatePolicyVersionCommand({ policyName: 'ok0', policyDocument: '{"Version":"2012-10-17"}' })));
      assert.equal(malformedVersion.name, 'MalformedPolicyException');
    });

    test('versions: at most five (VersionsLimitExceededException 409), ids increase and are never reused', async () => {
      await reset(server.url);
      await client.send(new CreatePolicyCommand({ policyName: 'v', policyDocument: doc('iot:A1') }));
      for (let i = 2; i <= 5; i++) {
        const r = await client.send(new CreatePolicyVersionCommand({ policyName: 'v', policyDocument: doc(`iot:A${i}`) }));
        assert.equal(r.policyVersionId, String(i));
        assert.equal(r.isDefaultVersion, false);
        assert.equal(r.policyArn, `${ARN}:policy/v`);
      }
      const sixth = await failure(client.send(new CreatePolicyVersionCommand({ policyName: 'v', policyDocument: doc('iot:A6'), setAsDefault: true })));
      assert.equal(sixth.name, 'VersionsLimitExceededException');
      assert.equal(sixth.$metadata.httpStatusCode, 409);
      assert.equal(sixth.message, 'The policy v already has the maximum number of versions (5)');
      assert.equal((await client.send(new GetPolicyCommand({ policyName: 'v' }))).defaultVersionId, '1', 'the failed call changed nothing');
      await client.send(new DeletePolicyVersionCommand({ policyName: 'v', policyVersionId: '5' }));
      const next = await client.send(new CreatePolicyVersionCommand({ policyName: 'v', policyDocument: doc('iot:A6'), setAsDefault: true }));
      assert.equal(next.policyVersionId, '6', 'a deleted id is not given again');
      assert.equal(next.isDefaultVersion, true);
      const list = await client.send(new ListPolicyVersionsCommand({ policyName: 'v' }));
      assert.deepEqual(
        list.policyVersions!.map((v) => [v.versionId, v.isDefaultVersion]),
        [['6', true], ['4', false], ['3', false], ['2', false], ['1', false]],
      );
      assert.ok(list.policyVersions!.every((v) => v.createDate instanceof Date));
      const v4 = await client.send(new GetPolicyVersionCommand({ policyName: 'v', policyVersionId: '4' }));
      assert.equal(v4.policyDocument, doc('iot:A4'));
      assert.equal(v4.isDefaultVersion, false);
      assert.equal(v4.policyName, 'v');
      assert.equal((await failure(client.send(new GetPolicyVersionCommand({ policyName: 'v', policyVersionId: '5' })))).name, 'ResourceNotFoundException');
      assert.equal((await failure(client.send(new CreatePolicyVersionCommand({ policyName: 'none', policyDocument: doc('iot:X') })))).name, 'ResourceNotFoundException');
      assert.equal((await failure(client.send(new ListPolicyVersionsCommand({ policyName: 'none' })))).$metadata.httpStatusCode, 404);
    });

    test('SetDefaultPolicyVersion changes what GetPolicy answers; the default version cannot be deleted', async () => {
      await reset(server.url);
      await client.send(new CreatePolicyCommand({ policyName: 'd', policyDocument: doc('iot:One') }));
      await client.send(new CreatePolicyVersionCommand({ policyName: 'd', policyDocument: doc('iot:Two') }));
      const before = await client.send(new GetPolicyCommand({ policyName: 'd' }));
      assert.equal(before.policyDocument, doc('iot:One'));
      await client.send(new SetDefaultPolicyVersionCommand({ policyName: 'd', policyVersionId: '2' }));
      const after = await client.send(new GetPolicyCommand({ policyName: 'd' }));
      assert.equal(after.policyDocument, doc('iot:Two'));
      assert.equal(after.defaultVersionId, '2');
      assert.notEqual(after.generationId, before.generationId);
      assert.equal((await client.send(new GetPolicyVersionCommand({ policyName: 'd', policyVersionId: '2' }))).isDefaultVersion, true);
      const missing = await failure(client.send(new SetDefaultPolicyVersionCommand({ policyName: 'd', policyVersionId: '9' })));
      assert.equal(missing.name, 'ResourceNotFoundException');
      const conflict = await failure(client.send(new DeletePolicyVersionCommand({ policyName: 'd', policyVersionId: '2' })));
      assert.equal(conflict.name, 'DeleteConflictException');
      assert.equal(conflict.$metadata.httpStatusCode, 409);
      assert.match(conflict.message, /default version/);
      await client.send(new DeletePolicyVersionCommand({ policyName: 'd', policyVersionId: '1' }));
      assert.equal((await failure(client.send(new DeletePolicyVersionCommand({ policyName: 'd', policyVersionId: '1' })))).name, 'ResourceNotFoundException');
    });

    test('DeletePolicy is refused while attached or while other versions exist', async () => {
      await reset(server.url);
      await client.send(new CreatePolicyCommand({ policyName: 'del', policyDocument: doc('iot:One'), tags: [{ Key: 'k', Value: 'v' }] }));
      await client.send(new CreatePolicyVersionCommand({ policyName: 'del', policyDocument: doc('iot:Two') }));
      const versions = await failure(client.send(new DeletePolicyCommand({ policyName: 'del' })));
      assert.equal(versions.name, 'DeleteConflictException');
      assert.equal(versions.$metadata.httpStatusCode, 409);
      assert.equal(versions.message, 'The policy cannot be deleted as versions other than than default version exist');
      await client.send(new DeletePolicyVersionCommand({ policyName: 'del', policyVersionId: '2' }));
      await client.send(new AttachPolicyCommand({ policyName: 'del', target: COGNITO }));
      const attached = await failure(client.send(new DeletePolicyCommand({ policyName: 'del' })));
      assert.equal(attached.name, 'DeleteConflictException');
      assert.equal(attached.message, 'The policy cannot be deleted as the policy is attached to one or more principals (name=del)');
      await client.send(new DetachPolicyCommand({ policyName: 'del', target: COGNITO }));
      await client.send(new DeletePolicyCommand({ policyName: 'del' }));
      assert.equal((await failure(client.send(new GetPolicyCommand({ policyName: 'del' })))).name, 'ResourceNotFoundException');
      assert.equal((await failure(client.send(new DeletePolicyCommand({ policyName: 'del' })))).name, 'ResourceNotFoundException');
      // Its tags went with it: a policy of the same name starts without them.
      await client.send(new CreatePolicyCommand({ policyName: 'del', policyDocument: doc('iot:One') }));
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ resourceArn: `${ARN}:policy/del` }))).tags, []);
    });

    test('ListPolicies: name order, pageSize and marker, descending order, invalid marker', async () => {
      await reset(server.url);
      const names = Array.from({ length: 30 }, (_, i) => `pol-${String(i).padStart(2, '0')}`);
      for (const n of [...names].reverse()) await client.send(new CreatePolicyCommand({ policyName: n, policyDocument: doc('iot:Connect') }));
      const first = await client.send(new ListPoliciesCommand({}));
      assert.equal(first.policies!.length, 25, 'default page is 25');
      assert.deepEqual(first.policies![0], { policyName: 'pol-00', policyArn: `${ARN}:policy/pol-00` });
      assert.ok(first.nextMarker);
      const seen: string[] = [];
      for await (const page of paginateListPolicies({ client, pageSize: 7 }, {})) seen.push(...page.policies!.map((p) => p.policyName!));
      assert.deepEqual(seen, names);
      const desc = await client.send(new ListPoliciesCommand({ ascendingOrder: false, pageSize: 3 }));
      assert.deepEqual(desc.policies!.map((p) => p.policyName), ['pol-29', 'pol-28', 'pol-27']);
      const desc2 = await client.send(new ListPoliciesCommand({ ascendingOrder: false, pageSize: 3, marker: desc.nextMarker }));
      assert.deepEqual(desc2.policies!.map((p) => p.policyName), ['pol-26', 'pol-25', 'pol-24']);
      const bad = await failure(client.send(new ListPoliciesCommand({ marker: 'bm90LWEtbWFya2Vy' })));
      assert.equal(bad.name, 'InvalidRequestException');
      assert.match(bad.message, /marker/);
    });

    test('role aliases: create (default 3600 s), describe, list, update, delete; 409 and 404', async () => {
      await reset(server.url);
      const created = await client.send(new CreateRoleAliasCommand({ roleAlias: 'cam', roleArn: ROLE, tags: [{ Key: 'a', Value: 'b' }] }));
      assert.deepEqual({ ...created, $metadata: undefined }, { $metadata: undefined, roleAlias: 'cam', roleAliasArn: `${ARN}:rolealias/cam` });
      const d = (await client.send(new DescribeRoleAliasCommand({ roleAlias: 'cam' }))).roleAliasDescription!;
      assert.equal(d.roleAlias, 'cam');
      assert.equal(d.roleAliasArn, created.roleAliasArn);
      assert.equal(d.roleArn, ROLE);
      assert.equal(d.owner, '000000000000');
      assert.equal(d.credentialDurationSeconds, 3600);
      assert.ok(d.creationDate instanceof Date);
      assert.equal(d.lastModifiedDate!.getTime(), d.creationDate!.getTime());
      const dup = await failure(client.send(new CreateRoleAliasCommand({ roleAlias: 'cam', roleArn: ROLE })));
      assert.equal(dup.name, 'ResourceAlreadyExistsException');
      assert.equal(dup.resourceArn, created.roleAliasArn);
      const short = await failure(client.send(new CreateRoleAliasCommand({ roleAlias: 'short', roleArn: ROLE, credentialDurationSeconds: 899 })));
      assert.equal(short.name, 'InvalidRequestException');
      await client.send(new CreateRoleAliasCommand({ roleAlias: 'alpha', roleArn: ROLE, credentialDurationSeconds: 43200 }));
      await client.send(new CreateRoleAliasCommand({ roleAlias: 'zulu', roleArn: ROLE }));
      const p1 = await client.send(new ListRoleAliasesCommand({ pageSize: 2 }));
      assert.deepEqual(p1.roleAliases, ['alpha', 'cam']);
      const p2 = await client.send(new ListRoleAliasesCommand({ pageSize: 2, marker: p1.nextMarker }));
      assert.deepEqual(p2.roleAliases, ['zulu']);
      assert.equal(p2.nextMarker, undefined);
      assert.deepEqual((await client.send(new ListRoleAliasesCommand({ ascendingOrder: false }))).roleAliases, ['zulu', 'cam', 'alpha']);
      await new Promise((r) => setTimeout(r, 20));
      const updated = await client.send(new UpdateRoleAliasCommand({ roleAlias: 'cam', credentialDurationSeconds: 900 }));
      assert.equal(updated.roleAliasArn, created.roleAliasArn);
      const after = (await client.send(new DescribeRoleAliasCommand({ roleAlias: 'cam' }))).roleAliasDescription!;
      assert.equal(after.credentialDurationSeconds, 900);
      assert.equal(after.roleArn, ROLE, 'roleArn left out stays');
      assert.ok(after.lastModifiedDate!.getTime() > after.creationDate!.getTime());
      assert.equal((await failure(client.send(new UpdateRoleAliasCommand({ roleAlias: 'nope', roleArn: ROLE })))).name, 'ResourceNotFoundException');
      await client.send(new DeleteRoleAliasCommand({ roleAlias: 'cam' }));
      assert.equal((await failure(client.send(new DescribeRoleAliasCommand({ roleAlias: 'cam' })))).$metadata.httpStatusCode, 404);
      assert.equal((await failure(client.send(new DeleteRoleAliasCommand({ roleAlias: 'cam' })))).name, 'ResourceNotFoundException');
    });
  });
}
