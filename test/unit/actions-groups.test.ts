// ADD_THINGS_TO_THING_GROUP on both backends (SEMANTICS.md D10): audit findings act on the things
// attached to the finding's certificate, violations on their thing; membership read back through
// ListThingGroupsForThing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddThingToThingGroupCommand,
  AttachThingPrincipalCommand,
  CreateDynamicThingGroupCommand,
  CreateThingCommand,
  ListThingGroupsForThingCommand,
} from '@aws-sdk/client-iot';
import { actionHandlers } from '../../src/actions/index.js';
import { BACKENDS } from '../harness.js';
import { act, assertFailed, type Bench, def, finding, inProcess, missingCertificateId, newCertificate, newGroup, unique, violation } from './actions-helpers.js';

for (const backend of BACKENDS) {
  describe(`ADD_THINGS_TO_THING_GROUP (${backend})`, () => {
    let b: Bench;
    before(async () => {
      b = await inProcess(backend);
    });
    after(async () => {
      await b?.close();
    });
    const thing = async (attributes?: Record<string, string>) => {
      const thingName = unique('thing');
      await b.client.send(new CreateThingCommand({ thingName, attributePayload: attributes ? { attributes } : undefined }));
      return thingName;
    };
    const group = (parentGroupName?: string) => newGroup(b.client, parentGroupName);
    const groupsOf = async (thingName: string) =>
      (await b.client.send(new ListThingGroupsForThingCommand({ thingName }))).thingGroups!.map((g) => g.groupName!).sort();
    const add = (thingGroupNames: string[], overrideDynamicGroups?: boolean) => def({ addThingsToThingGroupParams: { thingGroupNames, overrideDynamicGroups } });

    test('audit: every thing attached to the finding\'s certificate joins every group', async () => {
      const cert = await newCertificate(b.client);
      const [t1, t2, other] = [await thing(), await thing(), await thing()];
      for (const thingName of [t1, t2]) await b.client.send(new AttachThingPrincipalCommand({ thingName, principal: cert.arn }));
      const [q1, q2] = [await group(), await group()];
      assert.deepEqual(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([q1, q2]), finding({ deviceCertificateId: cert.id })), { status: 'SUCCEEDED' });
      assert.deepEqual(await groupsOf(t1), [q1, q2].sort());
      assert.deepEqual(await groupsOf(t2), [q1, q2].sort());
      assert.deepEqual(await groupsOf(other), []);
      // Already members: nothing changes, still a success.
      assert.deepEqual(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([q1]), finding({ deviceCertificateId: cert.id })), { status: 'SUCCEEDED' });
      assert.deepEqual(await groupsOf(t1), [q1, q2].sort());
    });

    test('audit: a certificate with no thing attached succeeds and says so; an unknown certificate is RESOURCE_NOT_FOUND', async () => {
      const cert = await newCertificate(b.client);
      const q = await group();
      const o = await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([q]), finding({ deviceCertificateId: cert.id }));
      assert.equal(o.status, 'SUCCEEDED');
      assert.match(o.message ?? '', new RegExp(`No thing is attached to certificate ${cert.id}`));
      const missing = missingCertificateId();
      assertFailed(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([q]), finding({ deviceCertificateId: missing })), 'RESOURCE_NOT_FOUND', new RegExp(missing));
      assertFailed(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([q]), finding({ caCertificateId: missing })), 'RESOURCE_NOT_IN_FINDING', /deviceCertificateId/);
    });

    test('detect: the violation\'s thing joins the group; an unknown thing or group is RESOURCE_NOT_FOUND, and nothing is half done', async () => {
      const t = await thing();
      const q = await group();
      assert.deepEqual(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([q]), violation(t)), { status: 'SUCCEEDED' });
      assert.deepEqual(await groupsOf(t), [q]);
      assertFailed(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([q]), violation('no-such-thing')), 'RESOURCE_NOT_FOUND', /no-such-thing/);
      const t2 = await thing();
      const q2 = await group();
      assertFailed(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([q2, 'no-such-group']), violation(t2)), 'RESOURCE_NOT_FOUND', /no-such-group/);
      assert.deepEqual(await groupsOf(t2), [], 'the savepoint undid the first group');
      assertFailed(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([q]), violation(undefined)), 'RESOURCE_NOT_IN_FINDING', /names no thing/);
    });

    test('a thing already in 10 groups is INVALID_STATE_OF_RESOURCE without overrideDynamicGroups or a dynamic group to leave', async () => {
      const t = await thing({ zone: 'a' });
      const dyn = unique('dynamic');
      await b.client.send(new CreateDynamicThingGroupCommand({ thingGroupName: dyn, queryString: 'attributes.zone:a' }));
      for (let i = 0; i < 9; i++) await b.client.send(new AddThingToThingGroupCommand({ thingName: t, thingGroupName: await group() }));
      const full = await groupsOf(t);
      assert.equal(full.length, 10);
      assert.ok(full.includes(dyn));
      const quarantine = await group();
      assertFailed(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([quarantine]), violation(t)), 'INVALID_STATE_OF_RESOURCE', /10 thing groups/);
      assert.deepEqual(await groupsOf(t), full);
      // overrideDynamicGroups: the thing leaves its dynamic group for the quarantine group.
      assert.deepEqual(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([quarantine], true), violation(t)), { status: 'SUCCEEDED' });
      const now = await groupsOf(t);
      assert.equal(now.length, 10);
      assert.ok(now.includes(quarantine));
      assert.ok(!now.includes(dyn));
      // Ten static groups: nothing to give up even with the override.
      assertFailed(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([await group()], true), violation(t)), 'INVALID_STATE_OF_RESOURCE', /10 thing groups/);
    });

    test('a thing already in another group of the same hierarchy is INVALID_STATE_OF_RESOURCE', async () => {
      const root = await group();
      const [left, right] = [await group(root), await group(root)];
      const t = await thing();
      await b.client.send(new AddThingToThingGroupCommand({ thingName: t, thingGroupName: left }));
      assertFailed(await act(b, actionHandlers, 'ADD_THINGS_TO_THING_GROUP', add([right]), violation(t)), 'INVALID_STATE_OF_RESOURCE', /same hierarchy/);
      assert.deepEqual(await groupsOf(t), [left]);
    });
  });
}
