import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddThingToThingGroupCommand,
  CreateDynamicThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DeleteDynamicThingGroupCommand,
  DeleteThingCommand,
  DeleteThingGroupCommand,
  DescribeThingGroupCommand,
  IoTServiceException,
  ListThingGroupsForThingCommand,
  ListThingsInThingGroupCommand,
  RemoveThingFromThingGroupCommand,
  UpdateDynamicThingGroupCommand,
  UpdateThingCommand,
  UpdateThingGroupCommand,
  UpdateThingGroupsForThingCommand,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running, assertFails as failure } from '../harness.js';
import { exactly } from './messages-helpers.js';

const groupArn = (name: string) => `arn:aws:iot:us-east-1:000000000000:thinggroup/${name}`;

for (const backend of BACKENDS) {
  describe(`dynamic thing groups through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    const send = <T>(c: T) => client.send(c as never) as Promise<any>;
    const thing = (thingName: string, attributes: Record<string, string> = {}, thingTypeName?: string) =>
      send(new CreateThingCommand({ thingName, thingTypeName, attributePayload: { attributes } }));
    const dynamic = (thingGroupName: string, queryString: string) => send(new CreateDynamicThingGroupCommand({ thingGroupName, queryString }));
    const members = async (thingGroupName: string) => (await send(new ListThingsInThingGroupCommand({ thingGroupName }))).things;
    const groupsOf = async (thingName: string) => (await send(new ListThingGroupsForThingCommand({ thingName }))).thingGroups.map((g: any) => g.groupName);

    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('create: members from the query over names, types and attributes; describe shows the query and ACTIVE', async () => {
      await reset(server.url);
      await send(new CreateThingTypeCommand({ thingTypeName: 'Lamp' }));
      await thing('lamp-1', { color: 'red', watts: '60' }, 'Lamp');
      await thing('lamp-2', { color: 'blue', watts: '9' }, 'Lamp');
      await thing('fan-1', { color: 'red' });
      const c = await send(new CreateDynamicThingGroupCommand({ thingGroupName: 'red-lamps', queryString: 'thingTypeName:Lamp AND attributes.color:red', tags: [{ Key: 'k', Value: 'v' }] }));
      assert.equal(c.thingGroupArn, groupArn('red-lamps'));
      assert.equal(c.indexName, 'AWS_Things');
      assert.equal(c.queryString, 'thingTypeName:Lamp AND attributes.color:red');
      assert.equal(c.queryVersion, '2017-09-30');
      const d = await send(new DescribeThingGroupCommand({ thingGroupName: 'red-lamps' }));
      assert.equal(d.thingGroupId, c.thingGroupId);
      assert.equal(d.status, 'ACTIVE');
      assert.equal(d.indexName, 'AWS_Things');
      assert.equal(d.queryString, c.queryString);
      assert.equal(d.queryVersion, '2017-09-30');
      assert.equal(d.version, 1);
      assert.deepEqual(await members('red-lamps'), ['lamp-1']);
      await dynamic('small', 'attributes.watts<10 OR thingName:fan*');
      assert.deepEqual(await members('small'), ['fan-1', 'lamp-2']);
      await dynamic('range', 'attributes.watts:{9 TO 60]');
      assert.deepEqual(await members('range'), ['lamp-1']);
      await dynamic('not-red', 'NOT attributes.color:red');
      assert.deepEqual(await members('not-red'), ['lamp-2']);
      assert.deepEqual(await groupsOf('lamp-2'), ['not-red', 'small']);
    });

    test('membership follows CreateThing, UpdateThing and DeleteThing', async () => {
      await reset(server.url);
      await dynamic('hot', 'attributes.temp>30');
      await thing('s1', { temp: '35' });
      await thing('s2', { temp: '20' });
      assert.deepEqual(await members('hot'), ['s1']);
      await send(new UpdateThingCommand({ thingName: 's2', attributePayload: { attributes: { temp: '31' }, merge: true } }));
      await send(new UpdateThingCommand({ thingName: 's1', attributePayload: { attributes: { temp: '' }, merge: true } }));
      assert.deepEqual(await members('hot'), ['s2']);
      await send(new DeleteThingCommand({ thingName: 's2' }));
      assert.deepEqual(await members('hot'), []);
    });

    test('UpdateDynamicThingGroup: a new query recomputes members, version goes up, expectedVersion is checked', async () => {
      await reset(server.url);
      await thing('a1', { zone: 'a' });
      await thing('b1', { zone: 'b' });
      await dynamic('zone', 'attributes.zone:a');
      assert.deepEqual(await members('zone'), ['a1']);
      const u = await send(new UpdateDynamicThingGroupCommand({ thingGroupName: 'zone', queryString: 'attributes.zone:b', thingGroupProperties: {} }));
      assert.equal(u.version, 2);
      assert.deepEqual(await members('zone'), ['b1']);
      const d = await send(new DescribeThingGroupCommand({ thingGroupName: 'zone' }));
      assert.equal(d.queryString, 'attributes.zone:b');
      assert.equal(d.version, 2);
      await failure(send(new UpdateDynamicThingGroupCommand({ thingGroupName: 'zone', expectedVersion: 1, queryString: 'x', thingGroupProperties: {} })), 'VersionConflictException', 409);
      await failure(send(new UpdateDynamicThingGroupCommand({ thingGroupName: 'zone', queryString: 'attributes.zone:(a', thingGroupProperties: {} })), 'InvalidQueryException', 400);
      await failure(send(new UpdateDynamicThingGroupCommand({ thingGroupName: 'nope', thingGroupProperties: {} })), 'ResourceNotFoundException', 404);
      assert.deepEqual(await members('zone'), ['b1']);
    });

    test('invalid queries and indexes are refused and store nothing', async () => {
      await reset(server.url);
      await failure(dynamic('bad', 'attributes.n:[1 TO'), 'InvalidQueryException', 400, /not valid/);
      await failure(send(new CreateDynamicThingGroupCommand({ thingGroupName: 'bad', queryString: 'thingName:x', indexName: 'Other' })), 'ResourceNotFoundException', 404, /Other/);
      await failure(send(new DescribeThingGroupCommand({ thingGroupName: 'bad' })), 'ResourceNotFoundException', 404);
    });

    test('dynamic groups stay out of hierarchies and manual membership; each kind has its own operations', async () => {
      await reset(server.url);
      await thing('t', { k: 'v' });
      await dynamic('dyn', 'attributes.k:v');
      await send(new CreateThingGroupCommand({ thingGroupName: 'static' }));
      await failure(send(new CreateThingGroupCommand({ thingGroupName: 'child', parentGroupName: 'dyn' })), 'InvalidRequestException', 400, /dynamic/);
      await thing('u');
      await failure(send(new AddThingToThingGroupCommand({ thingName: 'u', thingGroupName: 'dyn' })), 'InvalidRequestException', 400, /dynamic/);
      await failure(send(new RemoveThingFromThingGroupCommand({ thingName: 't', thingGroupName: 'dyn' })), 'InvalidRequestException', 400, /dynamic/);
      const notSupported = exactly(`This operation does not support dynamic thing groups. Thing group arn: arn:aws:iot:us-east-1:000000000000:thinggroup/dyn`);
      await failure(send(new UpdateThingGroupCommand({ thingGroupName: 'dyn', thingGroupProperties: {} })), 'InvalidRequestException', 400, notSupported);
      await failure(send(new DeleteThingGroupCommand({ thingGroupName: 'dyn' })), 'InvalidRequestException', 400, notSupported);
      await failure(send(new DeleteDynamicThingGroupCommand({ thingGroupName: 'static' })), 'InvalidRequestException', 400, /DeleteDynamicThingGroup/);
      await failure(send(new UpdateDynamicThingGroupCommand({ thingGroupName: 'static', thingGroupProperties: {} })), 'InvalidRequestException', 400);
      assert.deepEqual(await members('dyn'), ['t']);
      await send(new DeleteDynamicThingGroupCommand({ thingGroupName: 'dyn' }));
      await send(new DeleteDynamicThingGroupCommand({ thingGroupName: 'dyn' }));
      assert.deepEqual(await groupsOf('t'), []);
    });

    test('dynamic groups count toward 10; a thing at 10 is not added; overrideDynamicGroups leaves the most recently joined one', async () => {
      await reset(server.url);
      await dynamic('dyn-z', 'attributes.tier:gold');
      await thing('vip', { tier: 'gold' });
      await dynamic('dyn-a', 'attributes.tier:gold');
      assert.deepEqual(await groupsOf('vip'), ['dyn-a', 'dyn-z']);
      for (let i = 0; i < 9; i++) await send(new CreateThingGroupCommand({ thingGroupName: `s${i}` }));
      for (let i = 0; i < 8; i++) await send(new AddThingToThingGroupCommand({ thingName: 'vip', thingGroupName: `s${i}` }));
      await dynamic('dyn-late', 'attributes.tier:gold');
      assert.deepEqual(await members('dyn-late'), [], 'a thing already in 10 groups is not added to a new dynamic group');
      await failure(send(new AddThingToThingGroupCommand({ thingName: 'vip', thingGroupName: 's8' })), 'InvalidRequestException', 400, /overrideDynamicGroups/);
      await send(new AddThingToThingGroupCommand({ thingName: 'vip', thingGroupName: 's8', overrideDynamicGroups: true }));
      const groups = await groupsOf('vip');
      assert.equal(groups.length, 10);
      assert.ok(groups.includes('s8') && groups.includes('dyn-z') && !groups.includes('dyn-a'), `left the last joined dynamic group: ${groups}`);
      await send(new UpdateThingCommand({ thingName: 'vip', attributePayload: { attributes: { tier: 'gold', n: '1' } } }));
      assert.ok(!(await groupsOf('vip')).includes('dyn-a'), 'still at 10: not re-added on update');
    });

    test('UpdateThingGroupsForThing honours overrideDynamicGroups', async () => {
      await reset(server.url);
      await dynamic('auto', 'attributes.x:1');
      await thing('t', { x: '1' });
      for (let i = 0; i < 10; i++) await send(new CreateThingGroupCommand({ thingGroupName: `g${i}` }));
      await send(new UpdateThingGroupsForThingCommand({ thingName: 't', thingGroupsToAdd: ['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8'] }));
      await failure(send(new UpdateThingGroupsForThingCommand({ thingName: 't', thingGroupsToAdd: ['g9'] })), 'InvalidRequestException', 400);
      await send(new UpdateThingGroupsForThingCommand({ thingName: 't', thingGroupsToAdd: ['g9'], overrideDynamicGroups: true }));
      assert.deepEqual(await members('auto'), []);
      assert.ok((await groupsOf('t')).includes('g9'));
    });
  });
}
