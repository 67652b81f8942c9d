// Things, thing types and thing groups through real clients:
//   boto3 1.43 (pyenv python3) and 1.26 (Debian /usr/bin/python3), via test/wire/py/things.py;
//   AWS CLI v1 (pyenv aws, exits 255 on service errors) and v2 (/usr/bin/aws, exits 254).
// One server for the file, reset before each client.
// The CLI commands run through each CLI's own script in one long-lived Python process per CLI
// (test/wire/cli-runner.ts), a new driver per command; test/wire/cli-runner.test.ts checks on a sample
// that this gives what the CLI's own process gives.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { reset, ROOT, startServer, type Running } from '../harness.js';
import { awsIot } from './aws-iot.js';
import { stopCliRunners } from './cli-runner.js';
import { ACCOUNT, pythonScenario, UUID } from './env.js';

const SCRIPT = join(ROOT, 'test/wire/py/things.py');
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
  describe(`things through ${client.name}`, () => {
    let o: Record<string, Call>;
    before(async () => {
      await reset(server.url);
      o = await pythonScenario(client.python, [SCRIPT, server.url]);
    });

    test('things: create (idempotent, conflict, unknown type), describe, update with merge and versions, list', () => {
      ok(o.createThing, 'create');
      assert.equal(o.createThing.thingArn, arn('thing/lamp-1'));
      assert.match(o.createThing.thingId, UUID);
      assert.equal(o.createThingAgain.thingId, o.createThing.thingId);
      error(o.createThingConflict, 'ResourceAlreadyExistsException', 409, /lamp-1/, 'conflict');
      assert.equal(o.createThingConflict.exceptionClass, 'ResourceAlreadyExistsException');
      assert.equal(o.createThingConflict.extra.resourceId, o.createThing.thingId);
      error(o.createThingNoType, 'ResourceNotFoundException', 404, /Ghost/, 'unknown type');
      ok(o.describeThing, 'describe');
      assert.equal(o.describeThing.defaultClientId, 'lamp-1');
      assert.equal(o.describeThing.thingTypeName, 'Lamp');
      assert.equal(o.describeThing.version, 1);
      assert.deepEqual(o.describeThing.attributes, { color: 'red', watts: '60' });
      ok(o.updateThing, 'update');
      assert.deepEqual(o.afterUpdate.attributes, { color: 'red', room: '7' });
      assert.equal(o.afterUpdate.version, 2);
      error(o.updateStale, 'VersionConflictException', 409, /version 2/, 'stale update');
      assert.deepEqual(o.listRed.things.map((t: Call) => t.thingName), ['lamp-1', 'lamp-3']);
      assert.deepEqual(o.listPaged, ['lamp-1', 'lamp-2', 'lamp-3']);
    });

    test('thing types: describe with metadata, deprecate, delete refused within 5 minutes, list', () => {
      ok(o.createType, 'create type');
      assert.equal(o.createType.thingTypeArn, arn('thingtype/Lamp'));
      assert.equal(o.describeType.thingTypeMetadata.deprecated, false);
      assert.equal(o.describeType.thingTypeMetadata.creationDate.datetime, true);
      assert.deepEqual(o.describeType.thingTypeProperties, { searchableAttributes: ['watts'] });
      ok(o.deprecate, 'deprecate');
      error(o.deleteTypeTooSoon, 'InvalidRequestException', 400, /5 minutes/, 'delete too soon');
      assert.equal(o.listTypes.thingTypes[0].thingTypeMetadata.deprecated, true);
      assert.equal(o.listTypes.thingTypes[0].thingTypeMetadata.deprecationDate.tzaware, true);
    });

    test('static groups: hierarchy, membership by name and ARN, the one-group-per-hierarchy rule, lists, update, delete', () => {
      ok(o.createFloor, 'create floor');
      ok(o.addByName, 'add by name');
      error(o.addSameHierarchy, 'InvalidRequestException', 400, /same hierarchy/, 'same hierarchy');
      ok(o.addByArn, 'add by ARN');
      assert.equal(o.describeFloor.thingGroupMetadata.parentGroupName, 'site');
      assert.deepEqual(o.describeFloor.thingGroupMetadata.rootToParentThingGroups, [{ groupName: 'site', groupArn: arn('thinggroup/site') }]);
      assert.deepEqual(o.describeFloor.thingGroupProperties.attributePayload.attributes, { level: '2' });
      assert.deepEqual(o.groupsForThing.thingGroups.map((g: Call) => g.groupName), ['floor', 'other']);
      assert.deepEqual(o.thingsInSite.things, ['lamp-1']);
      assert.deepEqual(o.listGroups.thingGroups, [{ groupName: 'floor', groupArn: arn('thinggroup/floor') }]);
      assert.equal(o.updateGroup.version, 2);
      error(o.deleteParent, 'InvalidRequestException', 400, /^Cannot delete thing group : site when there are still child groups attached to it$/, 'delete parent');
    });

    test('dynamic groups: members from the query, InvalidQueryException, update recomputes, no manual members, deletes follow', () => {
      ok(o.createDynamic, 'create dynamic');
      assert.equal(o.createDynamic.indexName, 'AWS_Things');
      assert.equal(o.describeDynamic.status, 'ACTIVE');
      assert.equal(o.describeDynamic.queryString, 'attributes.color:red');
      assert.deepEqual(o.dynamicMembers.things, ['lamp-1', 'lamp-3']);
      error(o.badQuery, 'InvalidQueryException', 400, /not valid/, 'bad query');
      assert.equal(o.badQuery.exceptionClass, 'InvalidQueryException');
      assert.equal(o.updateDynamic.version, 2);
      assert.deepEqual(o.dynamicAfterUpdate.things, ['lamp-2']);
      error(o.addToDynamic, 'InvalidRequestException', 400, /dynamic/, 'manual add');
      error(o.deleteStale, 'VersionConflictException', 409, /lamp-2/, 'stale delete');
      ok(o.deleteThing, 'delete');
      assert.deepEqual(o.dynamicAfterDelete.things, []);
      ok(o.deleteMissing, 'delete missing');
      error(o.describeDeleted, 'ResourceNotFoundException', 404, /lamp-2/, 'describe deleted');
    });
  });
}

for (const cli of CLIS) {
  describe(`things through ${cli.name}`, () => {
    const { aws, ok: okJson, fails } = awsIot(cli, () => server.url);

    before(async () => {
      await reset(server.url);
    });

    test('create, describe, update and list things; groups and a dynamic group; errors exit non-zero', async () => {
      const c = await okJson(['create-thing', '--thing-name', 'cli-1', '--attribute-payload', '{"attributes":{"color":"red"}}']);
      assert.equal(c.thingArn, arn('thing/cli-1'));
      await okJson(['create-thing', '--thing-name', 'cli-2', '--attribute-payload', '{"attributes":{"color":"blue"}}']);
      await okJson(['update-thing', '--thing-name', 'cli-1', '--attribute-payload', '{"attributes":{"size":"L"},"merge":true}']);
      const d = await okJson(['describe-thing', '--thing-name', 'cli-1']);
      assert.deepEqual(d.attributes, { color: 'red', size: 'L' });
      assert.equal(d.version, 2);
      const listed = await okJson(['list-things', '--attribute-name', 'color', '--attribute-value', 'blue']);
      assert.deepEqual(listed.things.map((t: any) => t.thingName), ['cli-2']);

      await okJson(['create-thing-group', '--thing-group-name', 'cli-root']);
      await okJson(['create-thing-group', '--thing-group-name', 'cli-leaf', '--parent-group-name', 'cli-root']);
      await okJson(['add-thing-to-thing-group', '--thing-name', 'cli-1', '--thing-group-name', 'cli-leaf']);
      const inRoot = await okJson(['list-things-in-thing-group', '--thing-group-name', 'cli-root', '--recursive']);
      assert.deepEqual(inRoot.things, ['cli-1']);
      assert.match(await fails(['add-thing-to-thing-group', '--thing-name', 'cli-1', '--thing-group-name', 'cli-root'], 'InvalidRequestException', 'AddThingToThingGroup'), /same hierarchy/);

      await okJson(['create-dynamic-thing-group', '--thing-group-name', 'cli-blue', '--query-string', 'attributes.color:blue']);
      const dyn = await okJson(['describe-thing-group', '--thing-group-name', 'cli-blue']);
      assert.equal(dyn.status, 'ACTIVE');
      assert.equal(dyn.queryVersion, '2017-09-30');
      assert.deepEqual((await okJson(['list-things-in-thing-group', '--thing-group-name', 'cli-blue'])).things, ['cli-2']);
      assert.match(
        await fails(['create-dynamic-thing-group', '--thing-group-name', 'cli-bad', '--query-string', 'attributes.color:[a'], 'InvalidQueryException', 'CreateDynamicThingGroup'),
        /not valid/,
      );
      assert.match(await fails(['describe-thing', '--thing-name', 'cli-none'], 'ResourceNotFoundException', 'DescribeThing'), /cli-none/);
      const r = await aws(['delete-thing', '--thing-name', 'cli-2']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((await okJson(['list-things-in-thing-group', '--thing-group-name', 'cli-blue'])).things, []);
    });
  });
}
