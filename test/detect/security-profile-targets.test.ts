// Targets of security profiles on an in-process server, both backends, the operations through
// @aws-sdk/client-iot: AttachSecurityProfile (the four target forms, unknown profile or group, other
// ARNs, five per target), DetachSecurityProfile, ListTargetsForSecurityProfile,
// ListSecurityProfilesForTarget (recursive through parent groups, pages), and applicableProfiles
// (src/detect/profiles.ts) on the server's own store: a thing's groups and their parents, dynamic
// groups, all/things, registered or unregistered things, another account's profiles.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  AddThingToThingGroupCommand,
  AttachSecurityProfileCommand,
  CreateDynamicThingGroupCommand,
  CreateSecurityProfileCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DetachSecurityProfileCommand,
  ListSecurityProfilesForTargetCommand,
  ListTargetsForSecurityProfileCommand,
} from '@aws-sdk/client-iot';
import { applicableProfiles } from '../../src/detect/profiles.js';
import { createServer, ManualClock, type WardenServer } from '../../src/index.js';
import { BACKENDS, dropSchema, freshSchema, iot, PG_BASE, assertFails as failure } from '../harness.js';
import { allArn, bytesOut, groupArn, profileArn } from './fixtures.js';

const SCOPE = { accountId: '000000000000', region: 'us-east-1' };

for (const backend of BACKENDS) {
  describe(`security profile targets (${backend})`, () => {
    const clock = new ManualClock(new Date());
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-profile-targets-'));
    const schema = freshSchema();
    let server: WardenServer;
    let client: ReturnType<typeof iot>;
    const send = <T>(c: T) => client.send(c as never) as Promise<any>;
    const profile = (securityProfileName: string) => send(new CreateSecurityProfileCommand({ securityProfileName, behaviors: [bytesOut] }));
    const group = (thingGroupName: string, parentGroupName?: string) => send(new CreateThingGroupCommand({ thingGroupName, parentGroupName }));
    const attach = (securityProfileName: string, securityProfileTargetArn: string) => send(new AttachSecurityProfileCommand({ securityProfileName, securityProfileTargetArn }));
    const detach = (securityProfileName: string, securityProfileTargetArn: string) => send(new DetachSecurityProfileCommand({ securityProfileName, securityProfileTargetArn }));
    const targets = async (securityProfileName: string) =>
      (await send(new ListTargetsForSecurityProfileCommand({ securityProfileName }))).securityProfileTargets.map((t: any) => t.arn);
    const forTarget = async (securityProfileTargetArn: string, recursive?: boolean) =>
      (await send(new ListSecurityProfilesForTargetCommand({ securityProfileTargetArn, recursive }))).securityProfileTargetMappings.map(
        (m: any) => `${m.securityProfileIdentifier.name}@${m.target.arn.split(':').pop()}`,
      );
    const applicable = async (thing: string, registered: boolean, scope = SCOPE) => (await applicableProfiles(server.store.repos, scope, thing, registered)).map((p) => p.name);

    before(async () => {
      server = await createServer({ port: 0, dataDir, databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined, clock, logLevel: 'silent' });
      client = iot(await server.listen());
    });
    beforeEach(() => server.store.reset());
    after(async () => {
      client?.destroy();
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    test('attach to the four target forms; listed in ARN order; attaching twice changes nothing', async () => {
      await profile('p');
      await group('g');
      for (const arn of [groupArn('g'), allArn('things'), allArn('registered-things'), allArn('unregistered-things')]) await attach('p', arn);
      await attach('p', groupArn('g'));
      assert.deepEqual(await targets('p'), [allArn('registered-things'), allArn('things'), allArn('unregistered-things'), groupArn('g')]);
      const page = await send(new ListTargetsForSecurityProfileCommand({ securityProfileName: 'p', maxResults: 3 }));
      assert.equal(page.securityProfileTargets.length, 3);
      const rest = await send(new ListTargetsForSecurityProfileCommand({ securityProfileName: 'p', nextToken: page.nextToken }));
      assert.deepEqual(rest.securityProfileTargets, [{ arn: groupArn('g') }]);
      assert.equal(rest.nextToken, undefined);
      await failure(send(new ListTargetsForSecurityProfileCommand({ securityProfileName: 'ghost' })), 'ResourceNotFoundException', 404, /Security profile ghost/);
    });

    test('attach refuses an unknown profile or group, other ARNs and other scopes; nothing is stored', async () => {
      await profile('p');
      await group('g');
      await failure(attach('ghost', groupArn('g')), 'ResourceNotFoundException', 404, /Security profile ghost does not exist/);
      await failure(attach('p', groupArn('nope')), 'ResourceNotFoundException', 404, /Thing group nope does not exist/);
      for (const arn of [
        'arn:aws:iot:us-east-1:000000000000:thing/t1',
        'arn:aws:iot:us-east-1:000000000000:all/devices',
        'thinggroup/g',
        'arn:aws:iot:us-east-1:000000000000:billinggroup/g',
      ]) {
        await failure(attach('p', arn), 'InvalidRequestException', 400, /securityProfileTargetArn .* is not a security profile target/);
      }
      await failure(attach('p', groupArn('g', 'eu-west-1')), 'InvalidRequestException', 400, /not in this account and region/);
      await failure(attach('p', 'arn:aws:iot:us-east-1:111122223333:all/things'), 'InvalidRequestException', 400, /not in this account and region/);
      assert.deepEqual(await targets('p'), []);
    });

    test('at most five profiles per target: the sixth is LimitExceededException (410); another target still takes it', async () => {
      await group('g');
      for (let i = 1; i <= 6; i++) await profile(`p${i}`);
      for (let i = 1; i <= 5; i++) await attach(`p${i}`, groupArn('g'));
      await attach('p5', groupArn('g')); // already attached: no sixth
      await failure(attach('p6', groupArn('g')), 'LimitExceededException', 410, /already has 5 security profiles attached; a target can have at most 5/);
      assert.deepEqual(await targets('p6'), []);
      for (let i = 1; i <= 5; i++) await attach(`p${i}`, allArn('things'));
      await failure(attach('p6', allArn('things')), 'LimitExceededException', 410);
      await attach('p6', allArn('registered-things'));
      await detach('p1', groupArn('g'));
      await attach('p6', groupArn('g'));
      assert.deepEqual(await targets('p6'), [allArn('registered-things'), groupArn('g')]);
    });

    test('detach: the profile must exist and be attached; a deleted group can still be detached', async () => {
      await profile('p');
      await group('g');
      await attach('p', groupArn('g'));
      await attach('p', allArn('things'));
      await detach('p', allArn('things'));
      assert.deepEqual(await targets('p'), [groupArn('g')]);
      await failure(detach('p', allArn('things')), 'ResourceNotFoundException', 404, /Security profile p is not attached to arn:aws:iot:us-east-1:000000000000:all\/things/);
      await failure(detach('ghost', groupArn('g')), 'ResourceNotFoundException', 404, /Security profile ghost does not exist/);
      await failure(detach('p', 'arn:aws:iot:us-east-1:000000000000:thing/x'), 'InvalidRequestException', 400);
      await failure(detach('p', groupArn('never-was')), 'ResourceNotFoundException', 404, /not attached/);
      await detach('p', groupArn('g'));
      assert.deepEqual(await targets('p'), []);
    });

    test('ListSecurityProfilesForTarget: the target alone, or with recursive its parent groups too; unknown group is ResourceNotFoundException', async () => {
      await group('root');
      await group('mid', 'root');
      await group('leaf', 'mid');
      await group('other');
      for (const p of ['a', 'b', 'c', 'd']) await profile(p);
      await attach('a', groupArn('root'));
      await attach('b', groupArn('mid'));
      await attach('c', groupArn('leaf'));
      await attach('c', groupArn('root'));
      await attach('d', groupArn('other'));
      await attach('d', allArn('things'));
      assert.deepEqual(await forTarget(groupArn('leaf')), ['c@thinggroup/leaf']);
      assert.deepEqual(await forTarget(groupArn('leaf'), false), ['c@thinggroup/leaf']);
      assert.deepEqual(await forTarget(groupArn('leaf'), true), ['a@thinggroup/root', 'b@thinggroup/mid', 'c@thinggroup/leaf', 'c@thinggroup/root']);
      assert.deepEqual(await forTarget(groupArn('mid'), true), ['a@thinggroup/root', 'b@thinggroup/mid', 'c@thinggroup/root']);
      assert.deepEqual(await forTarget(allArn('things'), true), ['d@all/things']);
      assert.deepEqual(await forTarget(allArn('unregistered-things')), []);
      const first = await send(new ListSecurityProfilesForTargetCommand({ securityProfileTargetArn: groupArn('leaf'), recursive: true, maxResults: 3 }));
      assert.equal(first.securityProfileTargetMappings.length, 3);
      assert.deepEqual(first.securityProfileTargetMappings[0], { securityProfileIdentifier: { name: 'a', arn: profileArn('a') }, target: { arn: groupArn('root') } });
      const second = await send(new ListSecurityProfilesForTargetCommand({ securityProfileTargetArn: groupArn('leaf'), recursive: true, maxResults: 3, nextToken: first.nextToken }));
      assert.deepEqual(second.securityProfileTargetMappings.map((m: any) => m.target.arn), [groupArn('root')]);
      assert.equal(second.nextToken, undefined);
      await failure(send(new ListSecurityProfilesForTargetCommand({ securityProfileTargetArn: groupArn('leaf'), nextToken: first.nextToken })), 'InvalidRequestException', 400);
      await failure(forTarget(groupArn('ghost')), 'ResourceNotFoundException', 404, /Thing group ghost does not exist/);
      await failure(forTarget('arn:aws:iot:us-east-1:000000000000:thing/t'), 'InvalidRequestException', 400);
    });

    test('applicableProfiles: the groups of a thing and all their parents, dynamic groups, all/things and all/registered-things', async () => {
      await group('root');
      await group('mid', 'root');
      await group('leaf', 'mid');
      await group('side');
      await send(new CreateDynamicThingGroupCommand({ thingGroupName: 'hot', queryString: 'attributes.zone:hot' }));
      await send(new CreateThingCommand({ thingName: 'lamp', attributePayload: { attributes: { zone: 'hot' } } }));
      await send(new CreateThingCommand({ thingName: 'plain' }));
      await send(new AddThingToThingGroupCommand({ thingName: 'lamp', thingGroupName: 'leaf' }));
      await send(new AddThingToThingGroupCommand({ thingName: 'lamp', thingGroupName: 'side' }));
      for (const p of ['on-root', 'on-leaf', 'on-side', 'on-hot', 'on-all', 'on-registered', 'on-unregistered', 'elsewhere', 'nowhere']) await profile(p);
      await group('unrelated');
      await attach('on-root', groupArn('root'));
      await attach('on-leaf', groupArn('leaf'));
      await attach('on-side', groupArn('side'));
      await attach('on-hot', groupArn('hot'));
      await attach('on-all', allArn('things'));
      await attach('on-registered', allArn('registered-things'));
      await attach('on-unregistered', allArn('unregistered-things'));
      await attach('elsewhere', groupArn('unrelated'));
      // on-root is reached both through leaf (its grandparent) and directly: listed once.
      await attach('on-root', groupArn('side'));
      assert.deepEqual(await applicable('lamp', true), ['on-all', 'on-hot', 'on-leaf', 'on-registered', 'on-root', 'on-side']);
      assert.deepEqual(await applicable('plain', true), ['on-all', 'on-registered']);
      assert.deepEqual(await applicable('stranger', false), ['on-all', 'on-unregistered']);
      // A name reported as unregistered gets no group profiles, whatever its memberships.
      assert.deepEqual(await applicable('lamp', false), ['on-all', 'on-unregistered']);
      await detach('on-all', allArn('things'));
      assert.deepEqual(await applicable('plain', true), ['on-registered']);
    });

    test("applicableProfiles never answers another account's or region's profiles", async () => {
      await group('g');
      await send(new CreateThingCommand({ thingName: 'lamp' }));
      await send(new AddThingToThingGroupCommand({ thingName: 'lamp', thingGroupName: 'g' }));
      await profile('mine');
      await attach('mine', groupArn('g'));
      await attach('mine', allArn('things'));
      const eu = iot(server.url, undefined, 'eu-west-1');
      try {
        await eu.send(new CreateThingGroupCommand({ thingGroupName: 'g' }));
        await eu.send(new CreateThingCommand({ thingName: 'lamp' }));
        await eu.send(new AddThingToThingGroupCommand({ thingName: 'lamp', thingGroupName: 'g' }));
        await eu.send(new CreateSecurityProfileCommand({ securityProfileName: 'theirs' }));
        await eu.send(new AttachSecurityProfileCommand({ securityProfileName: 'theirs', securityProfileTargetArn: groupArn('g', 'eu-west-1') }));
      } finally {
        eu.destroy();
      }
      assert.deepEqual(await applicable('lamp', true), ['mine']);
      assert.deepEqual(await applicable('lamp', true, { accountId: SCOPE.accountId, region: 'eu-west-1' }), ['theirs']);
      assert.deepEqual(await applicable('lamp', true, { accountId: '111122223333', region: 'us-east-1' }), []);
      const [p] = await applicableProfiles(server.store.repos, SCOPE, 'lamp', true);
      assert.deepEqual(p.behaviors, [bytesOut]);
      assert.equal(p.arn, profileArn('mine'));
    });
  });
}
