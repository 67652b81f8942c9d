// The things of billing groups through @aws-sdk/client-iot on both backends: AddThingToBillingGroup and
// RemoveThingFromBillingGroup by name or ARN, a thing in at most one billing group (adding moves it),
// ListThingsInBillingGroup, billingGroupName on CreateThing and DescribeThing, and what deleting a thing
// or a group does to the membership.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddThingToBillingGroupCommand,
  AddThingToThingGroupCommand,
  CreateBillingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DeleteBillingGroupCommand,
  DeleteThingCommand,
  DescribeThingCommand,
  ListThingGroupsForThingCommand,
  ListThingsCommand,
  ListThingsInBillingGroupCommand,
  RemoveThingFromBillingGroupCommand,
  paginateListThingsInBillingGroup,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running, assertFails as failure } from '../harness.js';

const ARN = (resource: string, region = 'us-east-1') => `arn:aws:iot:${region}:000000000000:${resource}`;

for (const backend of BACKENDS) {
  describe(`things in billing groups through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    const send = <T>(c: T) => client.send(c as never) as Promise<any>;
    const group = (billingGroupName: string) => send(new CreateBillingGroupCommand({ billingGroupName }));
    const thing = (thingName: string, billingGroupName?: string) => send(new CreateThingCommand({ thingName, billingGroupName }));
    const add = (thingName: string, billingGroupName: string) => send(new AddThingToBillingGroupCommand({ thingName, billingGroupName }));
    const remove = (thingName: string, billingGroupName: string) => send(new RemoveThingFromBillingGroupCommand({ thingName, billingGroupName }));
    const thingsIn = async (billingGroupName: string) => (await send(new ListThingsInBillingGroupCommand({ billingGroupName }))).things;
    const billingOf = async (thingName: string) => (await send(new DescribeThingCommand({ thingName }))).billingGroupName;

    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('add by name or by ARN; DescribeThing names the group; adding again changes nothing', async () => {
      await reset(server.url);
      await group('bg');
      await thing('t1');
      await thing('t2');
      assert.equal(await billingOf('t1'), undefined);
      assert.deepEqual(Object.keys(await add('t1', 'bg')), ['$metadata'], 'an empty answer');
      await send(new AddThingToBillingGroupCommand({ thingArn: ARN('thing/t2'), billingGroupArn: ARN('billinggroup/bg') }));
      assert.equal(await billingOf('t1'), 'bg');
      assert.equal(await billingOf('t2'), 'bg');
      assert.deepEqual(await thingsIn('bg'), ['t1', 't2']);
      await add('t1', 'bg');
      assert.deepEqual(await thingsIn('bg'), ['t1', 't2']);
    });

    test('a thing is in at most one billing group: adding it to another moves it', async () => {
      await reset(server.url);
      await group('first');
      await group('second');
      await thing('mover');
      await thing('stayer');
      await add('mover', 'first');
      await add('stayer', 'first');
      await add('mover', 'second');
      assert.equal(await billingOf('mover'), 'second');
      assert.deepEqual(await thingsIn('first'), ['stayer']);
      assert.deepEqual(await thingsIn('second'), ['mover']);
    });

    test('billing groups and thing groups are independent', async () => {
      await reset(server.url);
      await group('bg');
      await send(new CreateThingGroupCommand({ thingGroupName: 'tg' }));
      await thing('t');
      await send(new AddThingToThingGroupCommand({ thingName: 't', thingGroupName: 'tg' }));
      await add('t', 'bg');
      assert.deepEqual((await send(new ListThingGroupsForThingCommand({ thingName: 't' }))).thingGroups.map((g: any) => g.groupName), ['tg']);
      await remove('t', 'bg');
      assert.deepEqual((await send(new ListThingGroupsForThingCommand({ thingName: 't' }))).thingGroups.map((g: any) => g.groupName), ['tg']);
      // ListThings has no billing-group filter and its entries no billing group (as in the model).
      const listed = (await send(new ListThingsCommand({}))).things;
      assert.deepEqual(listed.map((t: any) => t.thingName), ['t']);
      assert.equal(listed[0].billingGroupName, undefined);
    });

    test('remove by name or ARN; a thing that is not in the group (or in another) stays where it is', async () => {
      await reset(server.url);
      await group('a');
      await group('b');
      await thing('t');
      await add('t', 'a');
      await remove('t', 'b');
      assert.equal(await billingOf('t'), 'a');
      await send(new RemoveThingFromBillingGroupCommand({ thingArn: ARN('thing/t'), billingGroupArn: ARN('billinggroup/a') }));
      assert.equal(await billingOf('t'), undefined);
      assert.deepEqual(await thingsIn('a'), []);
      await remove('t', 'a');
      assert.equal(await billingOf('t'), undefined);
    });

    test('unknown things and groups, ARNs of elsewhere or of another kind, and missing names are refused', async () => {
      await reset(server.url);
      await group('bg');
      await thing('t');
      await failure(add('ghost', 'bg'), 'ResourceNotFoundException', 404, /Thing ghost does not exist/);
      await failure(add('t', 'nogroup'), 'ResourceNotFoundException', 404, /Billing group nogroup does not exist/);
      await failure(remove('ghost', 'bg'), 'ResourceNotFoundException', 404, /ghost/);
      await failure(remove('t', 'nogroup'), 'ResourceNotFoundException', 404, /nogroup/);
      await failure(send(new AddThingToBillingGroupCommand({ thingName: 't', billingGroupArn: ARN('billinggroup/bg', 'eu-west-1') })), 'ResourceNotFoundException', 404);
      await failure(send(new AddThingToBillingGroupCommand({ thingName: 't', billingGroupArn: ARN('thinggroup/bg') })), 'InvalidRequestException', 400, /not the ARN of a billing group/);
      await failure(send(new AddThingToBillingGroupCommand({ thingName: 't', billingGroupName: 'other', billingGroupArn: ARN('billinggroup/bg') })), 'InvalidRequestException', 400, /different billing groups/);
      await failure(send(new AddThingToBillingGroupCommand({ thingName: 't' })), 'InvalidRequestException', 400, /billingGroupName or billingGroupArn/);
      await failure(send(new AddThingToBillingGroupCommand({ billingGroupName: 'bg' })), 'InvalidRequestException', 400, /thingName or thingArn/);
      await failure(send(new RemoveThingFromBillingGroupCommand({ thingName: 't' })), 'InvalidRequestException', 400, /billingGroupName or billingGroupArn/);
      assert.deepEqual(await thingsIn('bg'), []);
    });

    test('ListThingsInBillingGroup: name order, pages of maxResults, the paginator; unknown group', async () => {
      await reset(server.url);
      await group('bg');
      await group('other');
      for (const n of ['d', 'B', 'a', 'c']) await thing(n, 'bg');
      await thing('elsewhere', 'other');
      assert.deepEqual(await thingsIn('bg'), ['B', 'a', 'c', 'd']);
      const first = await send(new ListThingsInBillingGroupCommand({ billingGroupName: 'bg', maxResults: 3 }));
      assert.deepEqual(first.things, ['B', 'a', 'c']);
      assert.deepEqual((await send(new ListThingsInBillingGroupCommand({ billingGroupName: 'bg', maxResults: 3, nextToken: first.nextToken }))).things, ['d']);
      // A token of one group's list is not a token of another's.
      await failure(send(new ListThingsInBillingGroupCommand({ billingGroupName: 'other', nextToken: first.nextToken })), 'InvalidRequestException', 400);
      const seen: string[] = [];
      for await (const p of paginateListThingsInBillingGroup({ client, pageSize: 2 }, { billingGroupName: 'bg' })) seen.push(...p.things!);
      assert.deepEqual(seen, ['B', 'a', 'c', 'd']);
      await failure(thingsIn('ghost'), 'ResourceNotFoundException', 404, /ghost/);
    });

    test('CreateThing with billingGroupName: the group must exist; the thing joins it; re-creating compares the group when given', async () => {
      await reset(server.url);
      await failure(thing('t', 'bg'), 'ResourceNotFoundException', 404, /Billing group bg does not exist/);
      await failure(send(new DescribeThingCommand({ thingName: 't' })), 'ResourceNotFoundException', 404);
      await group('bg');
      await group('other');
      const c = await thing('t', 'bg');
      assert.equal(await billingOf('t'), 'bg');
      assert.deepEqual(await thingsIn('bg'), ['t']);
      assert.equal((await thing('t', 'bg')).thingId, c.thingId);
      assert.equal((await thing('t')).thingId, c.thingId, 'left out, the billing group is not compared');
      await failure(thing('t', 'other'), 'ResourceAlreadyExistsException', 409, /t already exists/);
      await failure(thing('t', 'ghost'), 'ResourceNotFoundException', 404, /ghost/);
      assert.equal(await billingOf('t'), 'bg');
      await thing('plain');
      await failure(thing('plain', 'bg'), 'ResourceAlreadyExistsException', 409);
      assert.equal(await billingOf('plain'), undefined);
    });

    test('deleting a thing takes it out of its billing group; a thing of the same name starts outside', async () => {
      await reset(server.url);
      await group('bg');
      await thing('t', 'bg');
      await thing('u', 'bg');
      await send(new DeleteThingCommand({ thingName: 't' }));
      assert.deepEqual(await thingsIn('bg'), ['u']);
      await thing('t');
      assert.equal(await billingOf('t'), undefined);
      assert.deepEqual(await thingsIn('bg'), ['u']);
    });

    test('deleting a billing group with things succeeds and leaves them in no billing group', async () => {
      await reset(server.url);
      await group('bg');
      await thing('t', 'bg');
      await send(new DeleteBillingGroupCommand({ billingGroupName: 'bg' }));
      assert.equal(await billingOf('t'), undefined);
      await group('bg');
      assert.deepEqual(await thingsIn('bg'), [], 'a new group of the same name has no things');
    });

    test('concurrent adds of one thing to several groups leave it in exactly one', async () => {
      await reset(server.url);
      const groups = ['g0', 'g1', 'g2', 'g3', 'g4'];
      for (const g of groups) await group(g);
      await thing('racer');
      await Promise.all(groups.map((g) => add('racer', g)));
      const holders = [];
      for (const g of groups) if ((await thingsIn(g)).includes('racer')) holders.push(g);
      assert.equal(holders.length, 1);
      assert.equal(await billingOf('racer'), holders[0]);
    });

    test('memberships belong to one account and region', async () => {
      await reset(server.url);
      const eu = iot(server.url, undefined, 'eu-west-1');
      try {
        await group('bg');
        await thing('t', 'bg');
        await eu.send(new CreateBillingGroupCommand({ billingGroupName: 'bg' }));
        await eu.send(new CreateThingCommand({ thingName: 't' }));
        assert.equal((await eu.send(new DescribeThingCommand({ thingName: 't' }))).billingGroupName, undefined);
        assert.deepEqual((await eu.send(new ListThingsInBillingGroupCommand({ billingGroupName: 'bg' }))).things, []);
        await eu.send(new DeleteThingCommand({ thingName: 't' }));
        assert.equal(await billingOf('t'), 'bg');
      } finally {
        eu.destroy();
      }
    });
  });
}
