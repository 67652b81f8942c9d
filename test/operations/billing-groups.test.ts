// Billing groups themselves through @aws-sdk/client-iot on both backends: create (idempotent, conflict,
// tags), describe, list (prefix, pages), update (description, versions), delete, scope.
// Their things are in billing-groups-things.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateBillingGroupCommand,
  DeleteBillingGroupCommand,
  DescribeBillingGroupCommand,
  ListBillingGroupsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateBillingGroupCommand,
  paginateListBillingGroups,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, raw, reset, startServer, type Running, assertFails as failure } from '../harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const billingArn = (name: string, region = 'us-east-1') => `arn:aws:iot:${region}:000000000000:billinggroup/${name}`;

for (const backend of BACKENDS) {
  describe(`billing groups through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    const send = <T>(c: T) => client.send(c as never) as Promise<any>;
    const create = (billingGroupName: string, billingGroupDescription?: string) =>
      send(new CreateBillingGroupCommand({ billingGroupName, billingGroupProperties: billingGroupDescription === undefined ? undefined : { billingGroupDescription } }));
    const describeGroup = (billingGroupName: string) => send(new DescribeBillingGroupCommand({ billingGroupName }));
    const names = async (input: object) => (await send(new ListBillingGroupsCommand(input))).billingGroups.map((g: any) => g.groupName);

    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('create and describe: name, ARN, id, version 1, description, creation date', async () => {
      await reset(server.url);
      const c = await create('cost-center-7', 'Lamps of floor 7');
      assert.deepEqual(Object.keys(c).filter((k) => k !== '$metadata').sort(), ['billingGroupArn', 'billingGroupId', 'billingGroupName']);
      assert.equal(c.billingGroupName, 'cost-center-7');
      assert.equal(c.billingGroupArn, billingArn('cost-center-7'));
      assert.match(c.billingGroupId, UUID);
      const d = await describeGroup('cost-center-7');
      assert.equal(d.billingGroupName, 'cost-center-7');
      assert.equal(d.billingGroupId, c.billingGroupId);
      assert.equal(d.billingGroupArn, c.billingGroupArn);
      assert.equal(d.version, 1);
      assert.deepEqual(d.billingGroupProperties, { billingGroupDescription: 'Lamps of floor 7' });
      assert.ok(d.billingGroupMetadata.creationDate instanceof Date);
      assert.ok(Math.abs(d.billingGroupMetadata.creationDate.getTime() - Date.now()) < 10_000);
      await create('plain');
      assert.deepEqual((await describeGroup('plain')).billingGroupProperties, {});
      await failure(describeGroup('nope'), 'ResourceNotFoundException', 404, /Billing group nope does not exist/);
    });

    test('create again: the same description answers the same group, another one conflicts', async () => {
      await reset(server.url);
      const c = await create('bg', 'one');
      assert.equal((await create('bg', 'one')).billingGroupId, c.billingGroupId);
      for (const other of ['two', undefined]) {
        try {
          await create('bg', other);
          assert.fail('expected a conflict');
        } catch (e: any) {
          assert.equal(e.name, 'ResourceAlreadyExistsException');
          assert.equal(e.$metadata.httpStatusCode, 409);
          assert.equal(e.resourceId, c.billingGroupId);
          assert.equal(e.resourceArn, billingArn('bg'));
          assert.match(e.message, /bg already exists/);
        }
      }
      await create('nodesc');
      assert.ok(await create('nodesc'));
      await failure(create('nodesc', 'now one'), 'ResourceAlreadyExistsException', 409);
    });

    test('names and descriptions are validated from the model', async () => {
      await reset(server.url);
      await failure(create('has space'), 'InvalidRequestException', 400);
      await failure(create('x'.repeat(129)), 'InvalidRequestException', 400);
      assert.ok(await create('a:b_c-D9'));
      await failure(create('d', 'x'.repeat(2029)), 'InvalidRequestException', 400);
      await failure(create('d', 'tab\there'), 'InvalidRequestException', 400);
      assert.ok(await create('d', 'x'.repeat(2028)));
    });

    test('tags: given on create, and TagResource, UntagResource, ListTagsForResource take billing group ARNs', async () => {
      await reset(server.url);
      await send(new CreateBillingGroupCommand({ billingGroupName: 'tagged', tags: [{ Key: 'team', Value: 'iot' }, { Key: 'cc', Value: '42' }] }));
      const arn = billingArn('tagged');
      const tags = async () => (await send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags;
      assert.deepEqual(await tags(), [{ Key: 'cc', Value: '42' }, { Key: 'team', Value: 'iot' }]);
      await send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'team', Value: 'ops' }, { Key: 'env', Value: 'dev' }] }));
      await send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['cc'] }));
      assert.deepEqual(await tags(), [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'ops' }]);
      await failure(send(new ListTagsForResourceCommand({ resourceArn: billingArn('ghost') })), 'ResourceNotFoundException', 404, /Billing group/);
      await failure(send(new TagResourceCommand({ resourceArn: billingArn('tagged', 'eu-west-1'), tags: [{ Key: 'a', Value: 'b' }] })), 'ResourceNotFoundException', 404);
      await failure(send(new CreateBillingGroupCommand({ billingGroupName: 'reserved', tags: [{ Key: 'aws:x', Value: 'y' }] })), 'InvalidRequestException', 400, /aws:/);
      await failure(describeGroup('reserved'), 'ResourceNotFoundException', 404);
      // Re-creating the group leaves its tags as they are.
      await send(new CreateBillingGroupCommand({ billingGroupName: 'tagged', tags: [{ Key: 'other', Value: '1' }] }));
      assert.deepEqual(await tags(), [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'ops' }]);
    });

    test('ListBillingGroups: name (code-point) order, name prefix, pages of maxResults, the paginator, foreign tokens', async () => {
      await reset(server.url);
      for (const n of ['b', 'a2', 'B', 'a1', 'a', 'c']) await create(n);
      assert.deepEqual(await names({}), ['B', 'a', 'a1', 'a2', 'b', 'c']);
      assert.deepEqual(await names({ namePrefixFilter: 'a' }), ['a', 'a1', 'a2']);
      assert.deepEqual(await names({ namePrefixFilter: 'a1' }), ['a1']);
      assert.deepEqual(await names({ namePrefixFilter: 'z' }), []);
      const first = await send(new ListBillingGroupsCommand({ maxResults: 2 }));
      assert.deepEqual(first.billingGroups, [
        { groupName: 'B', groupArn: billingArn('B') },
        { groupName: 'a', groupArn: billingArn('a') },
      ]);
      assert.ok(first.nextToken);
      assert.deepEqual(await names({ maxResults: 2, nextToken: first.nextToken }), ['a1', 'a2']);
      const seen: string[] = [];
      for await (const p of paginateListBillingGroups({ client, pageSize: 4 }, { namePrefixFilter: 'a' })) seen.push(...p.billingGroups!.map((g) => g.groupName!));
      assert.deepEqual(seen, ['a', 'a1', 'a2']);
      const all = await send(new ListBillingGroupsCommand({}));
      assert.equal(all.nextToken, undefined);
      await failure(send(new ListBillingGroupsCommand({ nextToken: 'garbage' })), 'InvalidRequestException', 400);
      await failure(send(new ListBillingGroupsCommand({ maxResults: 251 })), 'InvalidRequestException', 400);
    });

    test('ListBillingGroups without maxResults: pages of 25', async () => {
      await reset(server.url);
      for (let i = 0; i < 27; i++) await create(`g${String(i).padStart(2, '0')}`);
      const first = await send(new ListBillingGroupsCommand({}));
      assert.equal(first.billingGroups.length, 25);
      assert.deepEqual((await send(new ListBillingGroupsCommand({ nextToken: first.nextToken }))).billingGroups.map((g: any) => g.groupName), ['g25', 'g26']);
    });

    test('UpdateBillingGroup: the description is replaced, kept when left out, removed by an empty one; version and expectedVersion', async () => {
      await reset(server.url);
      await create('u', 'first');
      const u = await send(new UpdateBillingGroupCommand({ billingGroupName: 'u', billingGroupProperties: { billingGroupDescription: 'second' } }));
      assert.equal(u.version, 2);
      let d = await describeGroup('u');
      assert.equal(d.version, 2);
      assert.equal(d.billingGroupProperties.billingGroupDescription, 'second');
      assert.equal((await send(new UpdateBillingGroupCommand({ billingGroupName: 'u', billingGroupProperties: {}, expectedVersion: 2 }))).version, 3);
      assert.equal((await describeGroup('u')).billingGroupProperties.billingGroupDescription, 'second');
      await send(new UpdateBillingGroupCommand({ billingGroupName: 'u', billingGroupProperties: { billingGroupDescription: '' } }));
      d = await describeGroup('u');
      assert.deepEqual(d.billingGroupProperties, {});
      assert.equal(d.version, 4);
      await failure(
        send(new UpdateBillingGroupCommand({ billingGroupName: 'u', billingGroupProperties: { billingGroupDescription: 'x' }, expectedVersion: 3 })),
        'VersionConflictException',
        409,
        /at version 4, not the expected version 3/,
      );
      assert.equal((await describeGroup('u')).version, 4);
      await failure(send(new UpdateBillingGroupCommand({ billingGroupName: 'none', billingGroupProperties: {} })), 'ResourceNotFoundException', 404, /none/);
      // billingGroupProperties is required by the model.
      const r = await raw(server.url, { method: 'PATCH', path: '/billing-groups/u', body: '{}' });
      assert.equal(r.status, 400);
      assert.equal(r.headers.get('x-amzn-errortype')?.split(':')[0], 'InvalidRequestException');
    });

    test('DeleteBillingGroup: expectedVersion, a missing group succeeds, its tags go, the name can be used again', async () => {
      await reset(server.url);
      const c = await send(new CreateBillingGroupCommand({ billingGroupName: 'del', tags: [{ Key: 'k', Value: 'v' }] }));
      await failure(send(new DeleteBillingGroupCommand({ billingGroupName: 'del', expectedVersion: 2 })), 'VersionConflictException', 409, /del/);
      assert.ok(await describeGroup('del'));
      await send(new DeleteBillingGroupCommand({ billingGroupName: 'del', expectedVersion: 1 }));
      await failure(describeGroup('del'), 'ResourceNotFoundException', 404);
      await send(new DeleteBillingGroupCommand({ billingGroupName: 'del' }));
      await send(new DeleteBillingGroupCommand({ billingGroupName: 'never-was', expectedVersion: 3 }));
      const again = await create('del');
      assert.notEqual(again.billingGroupId, c.billingGroupId);
      assert.deepEqual((await send(new ListTagsForResourceCommand({ resourceArn: billingArn('del') }))).tags, []);
      assert.equal((await describeGroup('del')).version, 1);
    });

    test('billing groups belong to one account and region', async () => {
      await reset(server.url);
      const eu = iot(server.url, undefined, 'eu-west-1');
      try {
        await create('here', 'us');
        await failure(eu.send(new DescribeBillingGroupCommand({ billingGroupName: 'here' })), 'ResourceNotFoundException', 404);
        const there = await eu.send(new CreateBillingGroupCommand({ billingGroupName: 'here', billingGroupProperties: { billingGroupDescription: 'eu' } }));
        assert.equal(there.billingGroupArn, billingArn('here', 'eu-west-1'));
        assert.deepEqual((await eu.send(new ListBillingGroupsCommand({}))).billingGroups, [{ groupName: 'here', groupArn: billingArn('here', 'eu-west-1') }]);
        await eu.send(new DeleteBillingGroupCommand({ billingGroupName: 'here' }));
        assert.equal((await describeGroup('here')).billingGroupProperties.billingGroupDescription, 'us');
      } finally {
        eu.destroy();
      }
    });
  });
}
