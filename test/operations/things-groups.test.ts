import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DeleteThingCommand,
  DeleteThingGroupCommand,
  DescribeThingGroupCommand,
  IoTServiceException,
  ListThingGroupsCommand,
  ListThingGroupsForThingCommand,
  ListThingsInThingGroupCommand,
  RemoveThingFromThingGroupCommand,
  UpdateThingGroupCommand,
  UpdateThingGroupsForThingCommand,
  paginateListThingGroups,
  paginateListThingsInThingGroup,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running, assertFails as failure } from '../harness.js';
import { exactly } from './messages-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ARN = (resource: string, region = 'us-east-1') => `arn:aws:iot:${region}:000000000000:${resource}`;
const groupArn = (name: string) => ARN(`thinggroup/${name}`);

for (const backend of BACKENDS) {
  describe(`static thing groups through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    const send = <T>(c: T) => client.send(c as never) as Promise<any>;
    const group = (thingGroupName: string, parentGroupName?: string) => send(new CreateThingGroupCommand({ thingGroupName, parentGroupName }));
    const thing = (thingName: string) => send(new CreateThingCommand({ thingName }));
    const add = (thingName: string, thingGroupName: string, overrideDynamicGroups?: boolean) =>
      send(new AddThingToThingGroupCommand({ thingName, thingGroupName, overrideDynamicGroups }));
    const groupsOf = async (thingName: string) => (await send(new ListThingGroupsForThingCommand({ thingName }))).thingGroups.map((g: any) => g.groupName);
    const thingsIn = async (thingGroupName: string, recursive?: boolean) =>
      (await send(new ListThingsInThingGroupCommand({ thingGroupName, recursive }))).things;

    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('create and describe: ids, version, attributes, parent and rootToParentThingGroups; idempotent re-create', async () => {
      await reset(server.url);
      const root = await send(new CreateThingGroupCommand({ thingGroupName: 'site', tags: [{ Key: 'k', Value: 'v' }] }));
      assert.equal(root.thingGroupArn, groupArn('site'));
      assert.match(root.thingGroupId, UUID);
      await group('floor', 'site');
      const props = { attributePayload: { attributes: { room: '12' } } };
      const c = await send(new CreateThingGroupCommand({ thingGroupName: 'room', parentGroupName: 'floor', thingGroupProperties: props }));
      const d = await send(new DescribeThingGroupCommand({ thingGroupName: 'room' }));
      assert.equal(d.thingGroupName, 'room');
      assert.equal(d.thingGroupId, c.thingGroupId);
      assert.equal(d.thingGroupArn, groupArn('room'));
      assert.equal(d.version, 1);
      assert.deepEqual(d.thingGroupProperties, { attributePayload: { attributes: { room: '12' } } });
      assert.equal(d.thingGroupMetadata.parentGroupName, 'floor');
      assert.deepEqual(d.thingGroupMetadata.rootToParentThingGroups, [
        { groupName: 'site', groupArn: groupArn('site') },
        { groupName: 'floor', groupArn: groupArn('floor') },
      ]);
      assert.ok(Math.abs(d.thingGroupMetadata.creationDate.getTime() - Date.now()) < 10_000);
      assert.equal(d.queryString, undefined);
      const top = await send(new DescribeThingGroupCommand({ thingGroupName: 'site' }));
      assert.equal(top.thingGroupMetadata.parentGroupName, undefined);
      assert.deepEqual(top.thingGroupMetadata.rootToParentThingGroups, []);
      const again = await send(new CreateThingGroupCommand({ thingGroupName: 'room', parentGroupName: 'floor', thingGroupProperties: props }));
      assert.equal(again.thingGroupId, c.thingGroupId);
      try {
        await group('room', 'site');
        assert.fail('expected a conflict');
      } catch (e: any) {
        assert.equal(e.name, 'ResourceAlreadyExistsException');
        assert.equal(e.message, 'Thing Group room already exists in current account with different properties');
        assert.equal(e.resourceId, c.thingGroupId);
        assert.equal(e.resourceArn, groupArn('room'));
      }
      await failure(send(new DescribeThingGroupCommand({ thingGroupName: 'nope' })), 'ResourceNotFoundException', 404, /nope/);
    });

    test('the parent must exist and a hierarchy is at most 7 levels deep', async () => {
      await reset(server.url);
      await failure(group('orphan', 'ghost'), 'InvalidRequestException', 400, /ghost/);
      await group('l1');
      for (let i = 2; i <= 7; i++) await group(`l${i}`, `l${i - 1}`);
      await failure(group('l8', 'l7'), 'InvalidRequestException', 400, /at most 7 levels/);
      const d = await send(new DescribeThingGroupCommand({ thingGroupName: 'l7' }));
      assert.deepEqual(d.thingGroupMetadata.rootToParentThingGroups.map((g: any) => g.groupName), ['l1', 'l2', 'l3', 'l4', 'l5', 'l6']);
    });

    test('ListThingGroups: every group, direct children, descendants, top groups, name prefix, pages', async () => {
      await reset(server.url);
      await group('a');
      await group('a1', 'a');
      await group('a2', 'a');
      await group('a1x', 'a1');
      await group('b');
      await group('ab', 'b');
      const list = async (input: object) => (await send(new ListThingGroupsCommand(input))).thingGroups.map((g: any) => g.groupName);
      assert.deepEqual(await list({}), ['a', 'a1', 'a1x', 'a2', 'ab', 'b']);
      assert.deepEqual(await list({ parentGroup: 'a' }), ['a1', 'a1x', 'a2']);
      assert.deepEqual(await list({ parentGroup: 'a', recursive: false }), ['a1', 'a2']);
      assert.deepEqual(await list({ recursive: false }), ['a', 'b']);
      assert.deepEqual(await list({ namePrefixFilter: 'a1' }), ['a1', 'a1x']);
      assert.deepEqual(await list({ parentGroup: 'b', namePrefixFilter: 'a' }), ['ab']);
      const first = await send(new ListThingGroupsCommand({ maxResults: 1 }));
      assert.deepEqual(first.thingGroups, [{ groupName: 'a', groupArn: groupArn('a') }]);
      const seen: string[] = [];
      for await (const p of paginateListThingGroups({ client, pageSize: 4 }, {})) seen.push(...p.thingGroups!.map((g) => g.groupName!));
      assert.deepEqual(seen, ['a', 'a1', 'a1x', 'a2', 'ab', 'b']);
      await failure(send(new ListThingGroupsCommand({ parentGroup: 'zz' })), 'ResourceNotFoundException', 404, /zz/);
    });

    test('UpdateThingGroup: attributes merge, version goes up, expectedVersion is checked', async () => {
      await reset(server.url);
      await send(new CreateThingGroupCommand({ thingGroupName: 'g', thingGroupProperties: { attributePayload: { attributes: { a: '1', b: '2' } } } }));
      const u = await send(new UpdateThingGroupCommand({ thingGroupName: 'g', thingGroupProperties: { attributePayload: { attributes: { b: '', c: '3' }, merge: true } } }));
      assert.equal(u.version, 2);
      let d = await send(new DescribeThingGroupCommand({ thingGroupName: 'g' }));
      assert.deepEqual(d.thingGroupProperties.attributePayload.attributes, { a: '1', c: '3' });
      assert.equal(d.version, 2);
      await send(new UpdateThingGroupCommand({ thingGroupName: 'g', expectedVersion: 2, thingGroupProperties: { attributePayload: { attributes: { z: '9' } } } }));
      d = await send(new DescribeThingGroupCommand({ thingGroupName: 'g' }));
      assert.deepEqual(d.thingGroupProperties.attributePayload.attributes, { z: '9' });
      await failure(send(new UpdateThingGroupCommand({ thingGroupName: 'g', expectedVersion: 2, thingGroupProperties: {} })), 'VersionConflictException', 409);
      await failure(send(new UpdateThingGroupCommand({ thingGroupName: 'none', thingGroupProperties: {} })), 'ResourceNotFoundException', 404);
    });

    test('a group without attributes has no attributePayload in DescribeThingGroup, however it came to have none', async () => {
      await reset(server.url);
      const payloadOf = async (thingGroupName: string) => (await send(new DescribeThingGroupCommand({ thingGroupName }))).thingGroupProperties;
      await send(new CreateThingGroupCommand({ thingGroupName: 'plain' }));
      await send(new CreateThingGroupCommand({ thingGroupName: 'empty', thingGroupProperties: { attributePayload: { attributes: {} } } }));
      await send(new CreateThingGroupCommand({ thingGroupName: 'attrs', thingGroupProperties: { thingGroupDescription: 'd', attributePayload: { attributes: { a: '1' } } } }));
      assert.deepEqual(await payloadOf('plain'), {});
      assert.deepEqual(await payloadOf('empty'), {});
      // Empty attributes and no merge: the group has none (the payload replaces them).
      await send(new UpdateThingGroupCommand({ thingGroupName: 'plain', thingGroupProperties: { attributePayload: { attributes: {} } } }));
      assert.deepEqual(await payloadOf('plain'), {});
      await send(new UpdateThingGroupCommand({ thingGroupName: 'attrs', thingGroupProperties: { attributePayload: { attributes: {}, merge: true } } }));
      assert.deepEqual(await payloadOf('attrs'), { thingGroupDescription: 'd', attributePayload: { attributes: { a: '1' } } }, 'merging nothing changes nothing');
      const u = await send(new UpdateThingGroupCommand({ thingGroupName: 'attrs', thingGroupProperties: { attributePayload: { attributes: {} } } }));
      assert.equal(u.version, 3);
      assert.deepEqual(await payloadOf('attrs'), { thingGroupDescription: 'd' });
      // Removing the last attribute by an empty value leaves none either.
      await send(new UpdateThingGroupCommand({ thingGroupName: 'empty', thingGroupProperties: { attributePayload: { attributes: { k: 'v' } } } }));
      await send(new UpdateThingGroupCommand({ thingGroupName: 'empty', thingGroupProperties: { attributePayload: { attributes: { k: '' }, merge: true } } }));
      assert.deepEqual(await payloadOf('empty'), {});
      // No properties and empty attributes are the same properties: creating again succeeds.
      await send(new CreateThingGroupCommand({ thingGroupName: 'plain', thingGroupProperties: { attributePayload: { attributes: {} } } }));
      await send(new CreateThingGroupCommand({ thingGroupName: 'empty' }));
    });

    test('DeleteThingGroup: refuses a group with child groups, missing succeeds, expectedVersion, members are released', async () => {
      await reset(server.url);
      await group('p');
      await group('c', 'p');
      await thing('t');
      await add('t', 'c');
      await failure(send(new DeleteThingGroupCommand({ thingGroupName: 'p' })), 'InvalidRequestException', 400, exactly('Cannot delete thing group : p when there are still child groups attached to it'));
      await failure(send(new DeleteThingGroupCommand({ thingGroupName: 'c', expectedVersion: 5 })), 'VersionConflictException', 409);
      await send(new DeleteThingGroupCommand({ thingGroupName: 'c', expectedVersion: 1 }));
      assert.deepEqual(await groupsOf('t'), []);
      await send(new DeleteThingGroupCommand({ thingGroupName: 'p' }));
      await send(new DeleteThingGroupCommand({ thingGroupName: 'p' }));
      await failure(send(new DescribeThingGroupCommand({ thingGroupName: 'p' })), 'ResourceNotFoundException', 404);
    });

    test('AddThingToThingGroup and RemoveThingFromThingGroup by name or ARN', async () => {
      await reset(server.url);
      await group('g');
      await thing('t');
      await send(new AddThingToThingGroupCommand({ thingArn: ARN('thing/t'), thingGroupArn: groupArn('g') }));
      await add('t', 'g');
      assert.deepEqual(await thingsIn('g'), ['t']);
      assert.deepEqual((await send(new ListThingGroupsForThingCommand({ thingName: 't' }))).thingGroups, [{ groupName: 'g', groupArn: groupArn('g') }]);
      await send(new RemoveThingFromThingGroupCommand({ thingArn: ARN('thing/t'), thingGroupName: 'g' }));
      assert.deepEqual(await thingsIn('g'), []);
      await send(new RemoveThingFromThingGroupCommand({ thingName: 't', thingGroupName: 'g' }));
      await failure(add('ghost', 'g'), 'ResourceNotFoundException', 404, /ghost/);
      await failure(add('t', 'nogroup'), 'ResourceNotFoundException', 404, /nogroup/);
      await failure(send(new RemoveThingFromThingGroupCommand({ thingName: 'ghost', thingGroupName: 'g' })), 'ResourceNotFoundException', 404);
      await failure(send(new AddThingToThingGroupCommand({ thingArn: ARN('thing/t', 'eu-west-1'), thingGroupName: 'g' })), 'ResourceNotFoundException', 404);
      await failure(send(new AddThingToThingGroupCommand({ thingName: 'x', thingArn: ARN('thing/t'), thingGroupName: 'g' })), 'InvalidRequestException', 400);
      await failure(send(new AddThingToThingGroupCommand({ thingGroupName: 'g' })), 'InvalidRequestException', 400, /thingName or thingArn/);
      await failure(send(new AddThingToThingGroupCommand({ thingName: 't', thingGroupArn: ARN('thing/g') })), 'InvalidRequestException', 400);
    });

    test('a thing is in at most one group of a hierarchy', async () => {
      await reset(server.url);
      await group('root');
      await group('left', 'root');
      await group('right', 'root');
      await group('other');
      await thing('t');
      await add('t', 'left');
      await failure(add('t', 'right'), 'InvalidRequestException', 400, /already in thing group left of the same hierarchy/);
      await failure(add('t', 'root'), 'InvalidRequestException', 400, /same hierarchy/);
      await add('t', 'other');
      assert.deepEqual(await groupsOf('t'), ['left', 'other']);
    });

    test('a thing is in at most 10 groups', async () => {
      await reset(server.url);
      await thing('busy');
      for (let i = 0; i < 11; i++) await group(`g${String(i).padStart(2, '0')}`);
      for (let i = 0; i < 10; i++) await add('busy', `g${String(i).padStart(2, '0')}`);
      await failure(add('busy', 'g10'), 'InvalidRequestException', 400, /already in 10 thing groups/);
      await failure(add('busy', 'g10', true), 'InvalidRequestException', 400, /already in 10 thing groups/);
      assert.equal((await groupsOf('busy')).length, 10);
      await send(new RemoveThingFromThingGroupCommand({ thingName: 'busy', thingGroupName: 'g00' }));
      await add('busy', 'g10');
      assert.ok((await groupsOf('busy')).includes('g10'));
    });

    test('ListThingsInThingGroup: direct or recursive, each thing once, in pages', async () => {
      await reset(server.url);
      await group('top');
      await group('mid', 'top');
      await group('leaf', 'mid');
      await group('aside');
      for (const t of ['t1', 't2', 't3', 't4', 't5']) await thing(t);
      await add('t1', 'top');
      await add('t4', 'mid');
      await add('t2', 'leaf');
      await add('t5', 'leaf');
      await add('t3', 'aside');
      await add('t2', 'aside');
      assert.deepEqual(await thingsIn('top'), ['t1']);
      assert.deepEqual(await thingsIn('top', true), ['t1', 't2', 't4', 't5']);
      assert.deepEqual(await thingsIn('mid', true), ['t2', 't4', 't5']);
      const seen: string[] = [];
      for await (const p of paginateListThingsInThingGroup({ client, pageSize: 3 }, { thingGroupName: 'top', recursive: true })) seen.push(...p.things!);
      assert.deepEqual(seen, ['t1', 't2', 't4', 't5']);
      await failure(send(new ListThingsInThingGroupCommand({ thingGroupName: 'nope' })), 'ResourceNotFoundException', 404);
      await failure(send(new ListThingGroupsForThingCommand({ thingName: 'nope' })), 'ResourceNotFoundException', 404);
      await send(new DeleteThingCommand({ thingName: 't2' }));
      assert.deepEqual(await thingsIn('aside'), ['t3'], 'a deleted thing leaves its groups');
    });

    test('UpdateThingGroupsForThing: removes then adds in one transaction, all or nothing', async () => {
      await reset(server.url);
      await group('root');
      await group('a', 'root');
      await group('b', 'root');
      await group('x');
      await thing('t');
      await add('t', 'a');
      await send(new UpdateThingGroupsForThingCommand({ thingName: 't', thingGroupsToRemove: ['a'], thingGroupsToAdd: ['b', 'x'] }));
      assert.deepEqual(await groupsOf('t'), ['b', 'x']);
      await failure(
        send(new UpdateThingGroupsForThingCommand({ thingName: 't', thingGroupsToRemove: ['x'], thingGroupsToAdd: ['missing'] })),
        'ResourceNotFoundException',
        404,
        /missing/,
      );
      assert.deepEqual(await groupsOf('t'), ['b', 'x'], 'the removal was rolled back');
      await failure(send(new UpdateThingGroupsForThingCommand({ thingGroupsToAdd: ['x'] })), 'InvalidRequestException', 400, /thingName/);
    });
  });
}
