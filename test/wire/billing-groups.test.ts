// Billing groups through real clients:
//   boto3 1.43 (pyenv python3) and 1.26 (Debian /usr/bin/python3), via test/wire/py/billing_groups.py;
//   AWS CLI v1 (pyenv aws, exits 255 on service errors) and v2 (/usr/bin/aws, exits 254), through
//   test/wire/cli-runner.ts as test/wire/things.test.ts does.
// One server for the file, reset before each client.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { reset, ROOT, startServer, type Running } from '../harness.js';
import { awsIot } from './aws-iot.js';
import { stopCliRunners } from './cli-runner.js';
import { ACCOUNT, pythonScenario, UUID } from './env.js';

const SCRIPT = join(ROOT, 'test/wire/py/billing_groups.py');
const arn = (resource: string) => `arn:aws:iot:us-east-1:${ACCOUNT}:${resource}`;

const PYTHONS = [
  { name: 'boto3 1.43 on pyenv python3', python: 'python3' },
  { name: 'boto3 1.26 on Debian /usr/bin/python3', python: '/usr/bin/python3' },
];
const CLIS = [
  { name: 'AWS CLI v1 (pyenv aws)', cmd: 'aws', errorExit: 255 },
  { name: 'AWS CLI v2 (Debian /usr/bin/aws)', cmd: '/usr/bin/aws', errorExit: 254 },
];

type Call = Record<string, any>;

function ok(c: Call, what: string): void {
  assert.equal(c.ok, true, `${what}: expected success, got ${c.code} (${c.status}): ${c.message}`);
  assert.equal(c.status, 200, what);
}

function error(c: Call, code: string, status: number, message: RegExp, what: string): void {
  assert.equal(c.ok, false, `${what}: expected ${code}, but it succeeded: ${JSON.stringify(c)}`);
  assert.equal(c.code, code, `${what}: ${c.message}`);
  assert.equal(c.status, status, what);
  assert.match(c.message, message, what);
}

let server: Running;

before(async () => {
  server = await startServer({ backend: 'sqlite' });
});

after(async () => {
  stopCliRunners();
  await server?.cleanup();
});

for (const client of PYTHONS) {
  describe(`billing groups through ${client.name}`, () => {
    let o: Record<string, Call>;
    before(async () => {
      await reset(server.url);
      o = await pythonScenario(client.python, [SCRIPT, server.url]);
    });

    test('groups: create (idempotent, conflict, validation), describe, list with prefix and pages, tags, update with versions', () => {
      ok(o.create, 'create');
      assert.equal(o.create.billingGroupArn, arn('billinggroup/floor-7'));
      assert.match(o.create.billingGroupId, UUID);
      assert.equal(o.createAgain.billingGroupId, o.create.billingGroupId);
      error(o.createConflict, 'ResourceAlreadyExistsException', 409, /floor-7/, 'conflict');
      assert.equal(o.createConflict.exceptionClass, 'ResourceAlreadyExistsException');
      assert.equal(o.createConflict.extra.resourceId, o.create.billingGroupId);
      assert.equal(o.createConflict.extra.resourceArn, o.create.billingGroupArn);
      error(o.createBadName, 'InvalidRequestException', 400, /billingGroupName/, 'bad name');
      ok(o.describe, 'describe');
      assert.equal(o.describe.version, 1);
      assert.deepEqual(o.describe.billingGroupProperties, { billingGroupDescription: 'Lamps of floor 7' });
      assert.equal(o.describe.billingGroupMetadata.creationDate.datetime, true);
      assert.equal(o.describe.billingGroupMetadata.creationDate.tzaware, true);
      error(o.describeMissing, 'ResourceNotFoundException', 404, /ghost/, 'describe missing');
      assert.deepEqual(o.list.billingGroups, [
        { groupName: 'floor-7', groupArn: arn('billinggroup/floor-7') },
        { groupName: 'floor-8', groupArn: arn('billinggroup/floor-8') },
        { groupName: 'lobby', groupArn: arn('billinggroup/lobby') },
      ]);
      assert.deepEqual(o.listPrefix.billingGroups.map((g: Call) => g.groupName), ['floor-7', 'floor-8']);
      assert.deepEqual(o.listPaged, ['floor-7', 'floor-8', 'lobby']);
      assert.deepEqual(o.tags.tags, [{ Key: 'cost-center', Value: '7' }]);
      assert.equal(o.update.version, 2);
      error(o.updateStale, 'VersionConflictException', 409, /version 2/, 'stale update');
      assert.equal(o.afterUpdate.billingGroupProperties.billingGroupDescription, 'Floor 7');
      assert.equal(o.afterUpdate.version, 2);
    });

    test('things: CreateThing into a group, add by name, DescribeThing, lists in pages, a move, remove by ARN, errors', () => {
      ok(o.createThingIn, 'create thing in group');
      error(o.createThingUnknownGroup, 'ResourceNotFoundException', 404, /ghost/, 'unknown group');
      ok(o.addByName, 'add');
      assert.equal(o.describeThing.billingGroupName, 'floor-7');
      assert.deepEqual(o.thingsIn.things, ['lamp-1', 'lamp-2']);
      assert.deepEqual(o.thingsInPaged, ['lamp-1', 'lamp-2']);
      ok(o.move, 'move');
      assert.equal(o.afterMove.billingGroupName, 'floor-8');
      assert.deepEqual(o.thingsInAfterMove.things, ['lamp-2']);
      error(o.addMissingThing, 'ResourceNotFoundException', 404, /ghost/, 'missing thing');
      error(o.addNoGroup, 'InvalidRequestException', 400, /billingGroupName or billingGroupArn/, 'no group');
      ok(o.remove, 'remove');
      assert.equal(o.afterRemove.billingGroupName, undefined);
    });

    test('deletes: expectedVersion, a group with a thing, a missing group', () => {
      error(o.deleteStale, 'VersionConflictException', 409, /floor-8/, 'stale delete');
      ok(o.deleteWithThing, 'delete with a thing');
      ok(o.afterGroupDelete, 'thing still there');
      assert.equal(o.afterGroupDelete.billingGroupName, undefined);
      ok(o.deleteMissing, 'delete missing');
      error(o.thingsInDeleted, 'ResourceNotFoundException', 404, /floor-8/, 'list of a deleted group');
    });
  });
}

for (const cli of CLIS) {
  describe(`billing groups through ${cli.name}`, () => {
    const { ok: okJson, fails } = awsIot(cli, () => server.url);

    before(async () => {
      await reset(server.url);
    });

    test('create, describe, list, update, add and move things, remove, delete; errors exit non-zero', async () => {
      const c = await okJson(['create-billing-group', '--billing-group-name', 'cli-a', '--billing-group-properties', 'billingGroupDescription=first', '--tags', 'Key=cc,Value=1']);
      assert.equal(c.billingGroupArn, arn('billinggroup/cli-a'));
      await okJson(['create-billing-group', '--billing-group-name', 'cli-b', '--billing-group-properties', '{"billingGroupDescription":"second"}']);
      const d = await okJson(['describe-billing-group', '--billing-group-name', 'cli-a']);
      assert.equal(d.billingGroupId, c.billingGroupId);
      assert.deepEqual(d.billingGroupProperties, { billingGroupDescription: 'first' });
      // CLI v1 prints timestamps as epoch seconds, v2 as ISO 8601.
      const created = d.billingGroupMetadata.creationDate;
      assert.ok(Math.abs((typeof created === 'number' ? created * 1000 : Date.parse(created)) - Date.now()) < 60_000, String(created));
      const listed = await okJson(['list-billing-groups', '--name-prefix-filter', 'cli-']);
      assert.deepEqual(listed.billingGroups.map((g: any) => g.groupName), ['cli-a', 'cli-b']);
      const paged = await okJson(['list-billing-groups', '--page-size', '1']);
      assert.deepEqual(paged.billingGroups.map((g: any) => g.groupName), ['cli-a', 'cli-b'], 'the CLI follows nextToken');
      const u = await okJson(['update-billing-group', '--billing-group-name', 'cli-a', '--billing-group-properties', 'billingGroupDescription=renamed', '--expected-version', '1']);
      assert.equal(u.version, 2);
      assert.match(
        await fails(['update-billing-group', '--billing-group-name', 'cli-a', '--billing-group-properties', 'billingGroupDescription=x', '--expected-version', '1'], 'VersionConflictException', 'UpdateBillingGroup'),
        /version 2/,
      );

      await okJson(['create-thing', '--thing-name', 'cli-t1', '--billing-group-name', 'cli-a']);
      await okJson(['create-thing', '--thing-name', 'cli-t2']);
      await okJson(['add-thing-to-billing-group', '--thing-name', 'cli-t2', '--billing-group-name', 'cli-a']);
      assert.deepEqual((await okJson(['list-things-in-billing-group', '--billing-group-name', 'cli-a'])).things, ['cli-t1', 'cli-t2']);
      await okJson(['add-thing-to-billing-group', '--thing-arn', arn('thing/cli-t1'), '--billing-group-arn', arn('billinggroup/cli-b')]);
      assert.equal((await okJson(['describe-thing', '--thing-name', 'cli-t1'])).billingGroupName, 'cli-b');
      assert.deepEqual((await okJson(['list-things-in-billing-group', '--billing-group-name', 'cli-a'])).things, ['cli-t2']);
      await okJson(['remove-thing-from-billing-group', '--thing-name', 'cli-t2', '--billing-group-name', 'cli-a']);
      assert.equal((await okJson(['describe-thing', '--thing-name', 'cli-t2'])).billingGroupName, undefined);
      assert.match(await fails(['create-thing', '--thing-name', 'cli-t3', '--billing-group-name', 'ghost'], 'ResourceNotFoundException', 'CreateThing'), /ghost/);
      assert.match(await fails(['add-thing-to-billing-group', '--thing-name', 'nobody', '--billing-group-name', 'cli-a'], 'ResourceNotFoundException', 'AddThingToBillingGroup'), /nobody/);

      assert.deepEqual(await okJson(['delete-billing-group', '--billing-group-name', 'cli-b']), {});
      assert.equal((await okJson(['describe-thing', '--thing-name', 'cli-t1'])).billingGroupName, undefined);
      assert.deepEqual(await okJson(['delete-billing-group', '--billing-group-name', 'cli-b']), {});
      assert.match(await fails(['describe-billing-group', '--billing-group-name', 'cli-b'], 'ResourceNotFoundException', 'DescribeBillingGroup'), /cli-b/);
    });
  });
}
