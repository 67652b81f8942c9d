// Policies, versions, attachments, logging, role aliases and tags through real clients:
// boto3 1.43 (pyenv python3) and 1.26 (Debian /usr/bin/python3) run test/wire/py/policies.py;
// AWS CLI v1 (pyenv aws, exits 255 on service errors) and v2 (/usr/bin/aws, exits 254) run the
// same scenario command by command. The four clients run side by side, each against a server of its own.
// The CLI commands run through each CLI's own script in one long-lived Python process per CLI
// (test/wire/cli-runner.ts), a new driver per command; test/wire/cli-runner.test.ts checks on a sample
// that this gives what the CLI's own process gives.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, startServer, type Running } from '../harness.js';
import { awsIot } from './aws-iot.js';
import { stopCliRunners } from './cli-runner.js';
import { ACCOUNT, pythonScenario } from './env.js';

const SCRIPT = join(ROOT, 'test/wire/py/policies.py');
const ARN = `arn:aws:iot:us-east-1:${ACCOUNT}`;
const LOG_ROLE = 'arn:aws:iam::000000000000:role/warden-logging';
const ROLE = 'arn:aws:iam::000000000000:role/warden-credentials';
const doc = (action: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

type Call = Record<string, any>;

function ok(c: Call, what: string): void {
  assert.equal(c.ok, true, `${what}: expected success, got ${c.code} (${c.status}): ${c.message}`);
}

function err(c: Call, code: string, status: number, what: string): void {
  assert.equal(c.ok, false, `${what}: expected ${code}, but it succeeded: ${JSON.stringify(c)}`);
  assert.equal(c.code, code, `${what}: ${c.message}`);
  assert.equal(c.status, status, what);
}

after(() => stopCliRunners());

// The clients at once, each against a fresh server of its own; each client's tests in order.
describe('every client side by side', { concurrency: true }, () => {
  for (const client of [
    { name: 'boto3 1.43 on pyenv python3', python: 'python3' },
    { name: 'boto3 1.26 on Debian /usr/bin/python3', python: '/usr/bin/python3' },
  ]) {
    describe(`policies scenario through ${client.name}`, { concurrency: 1 }, () => {
      let server: Running;

      let o: Record<string, Call>;
      before(async () => {
        server = await startServer({ backend: 'sqlite' });
        o = await pythonScenario(client.python, [SCRIPT, server.url]);
      });

      after(async () => {
        await server?.cleanup();
      });

      test('policies and versions: limit, default, conflicts, malformed documents', () => {
        ok(o.create, 'create');
        assert.equal(o.create.policyArn, `${ARN}:policy/wire-p`);
        assert.equal(o.create.policyVersionId, '1');
        err(o.malformed, 'MalformedPolicyException', 400, 'malformed');
        assert.equal(o.malformed.exceptionClass, 'MalformedPolicyException');
        assert.equal(o.version3.isDefaultVersion, true);
        err(o.version6, 'VersionsLimitExceededException', 409, 'sixth version');
        assert.equal(o.version6.message, 'The policy wire-p already has the maximum number of versions (5)');
        assert.equal(o.get.defaultVersionId, '3');
        assert.equal(o.get.policyDocument, doc('iot:V3'));
        assert.equal(o.get.creationDate.tzaware, true);
        assert.deepEqual(o.versions.policyVersions.map((v: Call) => [v.versionId, v.isDefaultVersion]), [
          ['5', false], ['4', false], ['3', true], ['2', false], ['1', false],
        ]);
        err(o.deleteDefaultVersion, 'DeleteConflictException', 409, 'delete default version');
        ok(o.setDefault, 'set default');
        assert.equal(o.getVersion5.isDefaultVersion, true);
        assert.equal(o.getVersion5.policyDocument, doc('iot:V5'));
        err(o.deletePolicyWithVersions, 'DeleteConflictException', 409, 'delete policy with versions');
        assert.equal(o.deletePolicyWithVersions.message, 'The policy cannot be deleted as versions other than than default version exist');
      });

      test('attachments: recursive up the hierarchy, effective policies of a thing in the child group', () => {
        ok(o.attachRoot, 'attach root');
        ok(o.attachChild, 'attach child');
        err(o.attachMissing, 'ResourceNotFoundException', 404, 'attach to a missing group');
        assert.deepEqual(o.attachedRecursive.policies.map((p: Call) => p.policyName), ['wire-p', 'wire-root-p']);
        assert.deepEqual(o.attachedDirect.policies, [{ policyName: 'wire-p', policyArn: `${ARN}:policy/wire-p` }]);
        assert.deepEqual(o.targets.targets, [`${ARN}:thinggroup/wire-child`]);
        assert.deepEqual(
          o.effective.effectivePolicies.map((p: Call) => [p.policyName, p.policyDocument]),
          [['wire-p', doc('iot:V5')], ['wire-root-p', doc('iot:Publish')]],
        );
        err(o.deleteAttached, 'DeleteConflictException', 409, 'delete an attached policy');
        assert.equal(o.deleteAttached.message, 'The policy cannot be deleted as the policy is attached to one or more principals (name=wire-root-p)');
      });

      test('list_policies paginates over base64 markers', () => {
        assert.deepEqual(o.policyPages.names, ['wire-p', 'wire-root-p', 'wire-z1', 'wire-z2', 'wire-z3']);
        assert.deepEqual(o.policyPages.sizes, [2, 2, 1]);
        assert.match(o.policyPages.markers[0], /^[A-Za-z0-9+/]+={0,2}$/);
        assert.equal(o.policyPages.markers[2], null);
      });

      test('logging: v2 NotConfiguredException before a set; v1 empty before a set; both after', () => {
        err(o.v2Before, 'NotConfiguredException', 404, 'v2 before set');
        ok(o.v2Set, 'v2 set');
        assert.deepEqual({ ...o.v2After, ok: undefined, status: undefined }, { ok: undefined, status: undefined, roleArn: LOG_ROLE, defaultLogLevel: 'INFO', disableAllLogs: false });
        assert.equal(o.v1Before.roleArn, undefined);
        ok(o.v1Set, 'v1 set');
        assert.equal(o.v1After.roleArn, LOG_ROLE);
        assert.equal(o.v1After.logLevel, 'WARN');
      });

      test('role aliases and tags', () => {
        assert.equal(o.aliasCreate.roleAliasArn, `${ARN}:rolealias/wire-alias`);
        err(o.aliasDuplicate, 'ResourceAlreadyExistsException', 409, 'duplicate alias');
        const d = o.aliasDescribe.roleAliasDescription;
        assert.equal(d.credentialDurationSeconds, 7200);
        assert.equal(d.roleArn, ROLE);
        assert.equal(d.owner, ACCOUNT);
        assert.equal(d.lastModifiedDate.datetime, true);
        assert.deepEqual(o.aliasList.roleAliases, ['wire-alias']);
        ok(o.aliasDelete, 'delete alias');
        err(o.aliasDescribeDeleted, 'ResourceNotFoundException', 404, 'describe deleted alias');
        assert.deepEqual(o.tags.tags, [{ Key: 'env', Value: 'test' }]);
        err(o.tagsMissing, 'ResourceNotFoundException', 404, 'tags of a missing policy');
        assert.deepEqual(o.tagsGroup.tags, [{ Key: 'tier', Value: 'edge' }]);
      });
    });
  }

  for (const cli of [
    { name: 'AWS CLI v1 (pyenv aws)', cmd: 'aws', errorExit: 255 },
    { name: 'AWS CLI v2 (Debian /usr/bin/aws)', cmd: '/usr/bin/aws', errorExit: 254 },
  ]) {
    describe(`policies scenario through ${cli.name}`, { concurrency: 1 }, () => {
      let server: Running;

      before(async () => {
        server = await startServer({ backend: 'sqlite' });
      });

      after(async () => {
        await server?.cleanup();
      });

      const { ok: okay, fails } = awsIot(cli, () => server.url);

      test('policies, versions and an attachment to a thing group', async () => {
        const c = await okay(['create-policy', '--policy-name', 'cli-p', '--policy-document', doc('iot:Connect')]);
        assert.equal(c.policyArn, `${ARN}:policy/cli-p`);
        await fails(['create-policy', '--policy-name', 'cli-bad', '--policy-document', 'not json'], 'MalformedPolicyException', 'CreatePolicy');
        const v = await okay(['create-policy-version', '--policy-name', 'cli-p', '--policy-document', doc('iot:Publish'), '--set-as-default']);
        assert.equal(v.policyVersionId, '2');
        assert.equal(v.isDefaultVersion, true);
        assert.equal((await okay(['get-policy', '--policy-name', 'cli-p'])).policyDocument, doc('iot:Publish'));
        await fails(['delete-policy-version', '--policy-name', 'cli-p', '--policy-version-id', '2'], 'DeleteConflictException', 'DeletePolicyVersion');
        const group = (await okay(['create-thing-group', '--thing-group-name', 'cli-g'])).thingGroupArn;
        await okay(['attach-policy', '--policy-name', 'cli-p', '--target', group]);
        assert.deepEqual((await okay(['list-attached-policies', '--target', group, '--recursive'])).policies, [{ policyName: 'cli-p', policyArn: `${ARN}:policy/cli-p` }]);
        assert.equal(
          await fails(['delete-policy', '--policy-name', 'cli-p'], 'DeleteConflictException', 'DeletePolicy'),
          'The policy cannot be deleted as the policy is attached to one or more principals (name=cli-p)',
        );
        await okay(['tag-resource', '--resource-arn', c.policyArn, '--tags', 'Key=owner,Value=cli']);
        assert.deepEqual((await okay(['list-tags-for-resource', '--resource-arn', c.policyArn])).tags, [{ Key: 'owner', Value: 'cli' }]);
      });

      test('list-policies: --page-size and --marker page by hand (the CLI then stops auto-paging); --max-items pages by token', async () => {
        for (const n of ['cli-a', 'cli-b', 'cli-c']) await okay(['create-policy', '--policy-name', n, '--policy-document', doc('iot:Connect')]);
        const names = (r: Call): string[] => r.policies.map((p: Call) => p.policyName);
        const first = await okay(['list-policies', '--page-size', '2']);
        assert.deepEqual(names(first), ['cli-a', 'cli-b']);
        const second = await okay(['list-policies', '--page-size', '2', '--marker', first.nextMarker]);
        assert.deepEqual(names(second), ['cli-c', 'cli-p']);
        assert.equal(second.nextMarker, undefined);
        const limited = await okay(['list-policies', '--max-items', '3']);
        assert.deepEqual(names(limited), ['cli-a', 'cli-b', 'cli-c']);
        const rest = await okay(['list-policies', '--starting-token', limited.NextToken]);
        assert.deepEqual(names(rest), ['cli-p']);
      });

      test('logging and role aliases', async () => {
        await fails(['get-v2-logging-options'], 'NotConfiguredException', 'GetV2LoggingOptions');
        await okay(['set-v2-logging-options', '--role-arn', LOG_ROLE, '--default-log-level', 'ERROR']);
        assert.deepEqual(await okay(['get-v2-logging-options']), { roleArn: LOG_ROLE, defaultLogLevel: 'ERROR', disableAllLogs: false });
        const a = await okay(['create-role-alias', '--role-alias', 'cli-alias', '--role-arn', ROLE]);
        assert.equal(a.roleAliasArn, `${ARN}:rolealias/cli-alias`);
        assert.equal((await okay(['describe-role-alias', '--role-alias', 'cli-alias'])).roleAliasDescription.credentialDurationSeconds, 3600);
        await okay(['delete-role-alias', '--role-alias', 'cli-alias']);
        await fails(['describe-role-alias', '--role-alias', 'cli-alias'], 'ResourceNotFoundException', 'DescribeRoleAlias');
      });
    });
  }
});
