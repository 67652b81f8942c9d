// Security profiles through @aws-sdk/client-iot on both backends: create (conflict, tags, the
// deprecated metrics to retain), describe, list (pages), update (members replaced or kept, the four
// delete flags, versions, expectedVersion), delete (expectedVersion, attachments, tags), scope.
// Behavior validation on the wire is in security-profiles-validation.test.ts, targets in
// security-profile-targets.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachSecurityProfileCommand,
  CreateSecurityProfileCommand,
  CreateThingGroupCommand,
  DeleteSecurityProfileCommand,
  DescribeSecurityProfileCommand,
  ListSecurityProfilesCommand,
  ListSecurityProfilesForTargetCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateSecurityProfileCommand,
  paginateListSecurityProfiles,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running, assertFails as failure } from '../harness.js';
import { ACCOUNT, authFailures, bytesOut, EXPORT, profileArn, SNS } from './fixtures.js';


for (const backend of BACKENDS) {
  describe(`security profiles through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    const send = <T>(c: T) => client.send(c as never) as Promise<any>;
    const create = (securityProfileName: string, rest: object = {}) => send(new CreateSecurityProfileCommand({ securityProfileName, ...rest }));
    const describeProfile = (securityProfileName: string) => send(new DescribeSecurityProfileCommand({ securityProfileName }));
    const update = (securityProfileName: string, rest: object = {}) => send(new UpdateSecurityProfileCommand({ securityProfileName, ...rest }));
    const names = async (input: object = {}) => (await send(new ListSecurityProfilesCommand(input))).securityProfileIdentifiers.map((p: any) => p.name);

    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('create and describe: name, ARN, description, behaviors, alert targets, metrics to retain, export, version 1, dates', async () => {
      await reset(server.url);
      const before = Date.now();
      const c = await create('fleet', {
        securityProfileDescription: 'Lamps',
        behaviors: [bytesOut, authFailures],
        alertTargets: SNS,
        additionalMetricsToRetainV2: [{ metric: 'aws:num-disconnects', exportMetric: true }],
        metricsExportConfig: EXPORT,
      });
      assert.deepEqual({ name: c.securityProfileName, arn: c.securityProfileArn }, { name: 'fleet', arn: profileArn('fleet') });
      const d = await describeProfile('fleet');
      assert.equal(d.securityProfileName, 'fleet');
      assert.equal(d.securityProfileArn, profileArn('fleet'));
      assert.equal(d.securityProfileDescription, 'Lamps');
      assert.deepEqual(d.behaviors, [bytesOut, authFailures]);
      assert.deepEqual(d.alertTargets, SNS);
      assert.deepEqual(d.additionalMetricsToRetainV2, [{ metric: 'aws:num-disconnects', exportMetric: true }]);
      assert.deepEqual(d.metricsExportConfig, EXPORT);
      assert.equal(d.version, 1);
      assert.ok(d.creationDate instanceof Date && d.creationDate.getTime() >= before - 1000 && d.creationDate.getTime() <= Date.now() + 1000);
      assert.equal(d.lastModifiedDate.getTime(), d.creationDate.getTime());
      await create('bare');
      const bare = await describeProfile('bare');
      assert.deepEqual(bare.behaviors, []);
      for (const k of ['securityProfileDescription', 'alertTargets', 'additionalMetricsToRetainV2', 'metricsExportConfig']) assert.equal(bare[k], undefined, k);
      await failure(describeProfile('ghost'), 'ResourceNotFoundException', 404, /Security profile ghost does not exist/);
    });

    test('create again: ResourceAlreadyExistsException with the ARN, even with the same input (AWS documents no idempotent create)', async () => {
      await reset(server.url);
      await create('dup', { behaviors: [bytesOut] });
      for (const rest of [{ behaviors: [bytesOut] }, {}]) {
        try {
          await create('dup', rest);
          assert.fail('expected a conflict');
        } catch (e: any) {
          assert.equal(e.name, 'ResourceAlreadyExistsException');
          assert.equal(e.$metadata.httpStatusCode, 409);
          assert.equal(e.resourceArn, profileArn('dup'));
          assert.match(e.message, /Security profile dup already exists/);
        }
      }
      assert.equal((await describeProfile('dup')).version, 1);
    });

    test('the deprecated additionalMetricsToRetain becomes V2 entries; both at once are refused', async () => {
      await reset(server.url);
      await create('old', { additionalMetricsToRetain: ['aws:num-disconnects', 'aws:message-byte-size'] });
      assert.deepEqual((await describeProfile('old')).additionalMetricsToRetainV2, [{ metric: 'aws:num-disconnects' }, { metric: 'aws:message-byte-size' }]);
      await failure(create('both', { additionalMetricsToRetain: ['aws:num-disconnects'], additionalMetricsToRetainV2: [{ metric: 'aws:num-disconnects' }] }), 'InvalidRequestException', 400, /additionalMetricsToRetainV2 or the deprecated additionalMetricsToRetain/);
      await failure(create('bad-old', { additionalMetricsToRetain: ['aws:nope'] }), 'InvalidRequestException', 400, /additionalMetricsToRetain\[0\] is malformed\. metric aws:nope/);
      await failure(create('bad-v2', { additionalMetricsToRetainV2: [{ metric: 'aws:num-disconnects' }, { metric: 'ghost-metric' }] }), 'InvalidRequestException', 400, /additionalMetricsToRetainV2\[1\] is malformed\. metric ghost-metric/);
      assert.deepEqual(await names(), ['old']);
    });

    test('tags: given on create, and TagResource and ListTagsForResource take security profile ARNs', async () => {
      await reset(server.url);
      await create('tagged', { tags: [{ Key: 'team', Value: 'iot' }] });
      const arn = profileArn('tagged');
      const tags = async () => (await send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags;
      assert.deepEqual(await tags(), [{ Key: 'team', Value: 'iot' }]);
      await send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'env', Value: 'dev' }] }));
      assert.deepEqual(await tags(), [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'iot' }]);
      await failure(send(new ListTagsForResourceCommand({ resourceArn: profileArn('ghost') })), 'ResourceNotFoundException', 404, /Security profile/);
      await failure(create('reserved', { tags: [{ Key: 'aws:x', Value: 'y' }] }), 'InvalidRequestException', 400, /aws:/);
      await failure(describeProfile('reserved'), 'ResourceNotFoundException', 404);
      await send(new DeleteSecurityProfileCommand({ securityProfileName: 'tagged' }));
      await create('tagged');
      assert.deepEqual(await tags(), []);
    });

    test('ListSecurityProfiles: name order, pages of maxResults, the paginator, foreign tokens, 25 by default', async () => {
      await reset(server.url);
      for (const n of ['b', 'a2', 'B', 'a1', 'a']) await create(n);
      assert.deepEqual(await names(), ['B', 'a', 'a1', 'a2', 'b']);
      const first = await send(new ListSecurityProfilesCommand({ maxResults: 2 }));
      assert.deepEqual(first.securityProfileIdentifiers, [
        { name: 'B', arn: profileArn('B') },
        { name: 'a', arn: profileArn('a') },
      ]);
      assert.deepEqual(await names({ maxResults: 2, nextToken: first.nextToken }), ['a1', 'a2']);
      const seen: string[] = [];
      for await (const p of paginateListSecurityProfiles({ client, pageSize: 2 }, {})) seen.push(...p.securityProfileIdentifiers!.map((i) => i.name!));
      assert.deepEqual(seen, ['B', 'a', 'a1', 'a2', 'b']);
      await failure(send(new ListSecurityProfilesCommand({ nextToken: 'garbage' })), 'InvalidRequestException', 400);
      for (let i = 0; i < 22; i++) await create(`z${String(i).padStart(2, '0')}`);
      const page = await send(new ListSecurityProfilesCommand({}));
      assert.equal(page.securityProfileIdentifiers.length, 25);
      assert.deepEqual(await names({ nextToken: page.nextToken }), ['z20', 'z21']);
    });

    test('UpdateSecurityProfile: given members replace, left-out ones stay, the answer is the whole profile at version + 1', async () => {
      await reset(server.url);
      await create('u', { securityProfileDescription: 'one', behaviors: [bytesOut], alertTargets: SNS, additionalMetricsToRetainV2: [{ metric: 'aws:num-disconnects' }], metricsExportConfig: EXPORT });
      const created = await describeProfile('u');
      await new Promise((r) => setTimeout(r, 5));
      const u = await update('u', { behaviors: [authFailures] });
      assert.equal(u.version, 2);
      assert.deepEqual(u.behaviors, [authFailures]);
      assert.equal(u.securityProfileDescription, 'one');
      assert.deepEqual(u.alertTargets, SNS);
      assert.deepEqual(u.additionalMetricsToRetainV2, [{ metric: 'aws:num-disconnects' }]);
      assert.deepEqual(u.metricsExportConfig, EXPORT);
      assert.equal(u.creationDate.getTime(), created.creationDate.getTime());
      assert.ok(u.lastModifiedDate.getTime() > created.lastModifiedDate.getTime());
      const d = await describeProfile('u');
      assert.deepEqual(d.behaviors, [authFailures]);
      assert.equal(d.version, 2);
      const u3 = await update('u', { securityProfileDescription: 'two', additionalMetricsToRetainV2: [{ metric: 'aws:message-byte-size' }] });
      assert.equal(u3.version, 3);
      assert.equal(u3.securityProfileDescription, 'two');
      assert.deepEqual(u3.additionalMetricsToRetainV2, [{ metric: 'aws:message-byte-size' }]);
      assert.deepEqual(u3.behaviors, [authFailures]);
      assert.equal((await update('u', {})).version, 4);
      assert.equal((await update('u', { securityProfileDescription: '' })).securityProfileDescription, undefined);
      await failure(update('ghost', {}), 'ResourceNotFoundException', 404, /Security profile ghost does not exist/);
    });

    test('the four delete flags remove their member; each with that member given is InvalidRequestException and changes nothing', async () => {
      await reset(server.url);
      const full = { behaviors: [bytesOut], alertTargets: SNS, additionalMetricsToRetainV2: [{ metric: 'aws:num-disconnects' }], metricsExportConfig: EXPORT };
      await create('f', full);
      const cases: [string, string, unknown][] = [
        ['deleteBehaviors', 'behaviors', [authFailures]],
        ['deleteAlertTargets', 'alertTargets', SNS],
        ['deleteAdditionalMetricsToRetain', 'additionalMetricsToRetainV2', [{ metric: 'aws:num-disconnects' }]],
        ['deleteAdditionalMetricsToRetain', 'additionalMetricsToRetain', ['aws:num-disconnects']],
        ['deleteMetricsExportConfig', 'metricsExportConfig', EXPORT],
      ];
      for (const [flag, member, value] of cases) {
        await failure(update('f', { [flag]: true, [member]: value }), 'InvalidRequestException', 400, new RegExp(`${flag} is true and ${member} is given`));
      }
      const d = await describeProfile('f');
      assert.equal(d.version, 1);
      assert.deepEqual(d.behaviors, [bytesOut]);
      const u = await update('f', { deleteBehaviors: true, deleteAlertTargets: true, deleteAdditionalMetricsToRetain: true, deleteMetricsExportConfig: true, behaviors: undefined });
      assert.equal(u.version, 2);
      assert.deepEqual(u.behaviors, []);
      for (const k of ['alertTargets', 'additionalMetricsToRetainV2', 'metricsExportConfig']) assert.equal(u[k], undefined, k);
      const d2 = await describeProfile('f');
      for (const k of ['alertTargets', 'additionalMetricsToRetainV2', 'metricsExportConfig']) assert.equal(d2[k], undefined, k);
      assert.deepEqual(d2.behaviors, []);
      // A flag set to false with its member is an ordinary replacement.
      assert.deepEqual((await update('f', { deleteBehaviors: false, behaviors: [bytesOut] })).behaviors, [bytesOut]);
    });

    test('expectedVersion: Update and Delete refuse another version with VersionConflictException and change nothing', async () => {
      await reset(server.url);
      await create('v');
      await update('v', {});
      await failure(update('v', { expectedVersion: 1, securityProfileDescription: 'x' }), 'VersionConflictException', 409, /at version 2, not the expected version 1/);
      assert.equal((await describeProfile('v')).securityProfileDescription, undefined);
      assert.equal((await update('v', { expectedVersion: 2 })).version, 3);
      await failure(send(new DeleteSecurityProfileCommand({ securityProfileName: 'v', expectedVersion: 2 })), 'VersionConflictException', 409, /at version 3/);
      assert.equal((await describeProfile('v')).version, 3);
      await send(new DeleteSecurityProfileCommand({ securityProfileName: 'v', expectedVersion: 3 }));
      await failure(describeProfile('v'), 'ResourceNotFoundException', 404);
    });

    test('DeleteSecurityProfile: a missing profile succeeds; the attachments go with the profile', async () => {
      await reset(server.url);
      await send(new DeleteSecurityProfileCommand({ securityProfileName: 'never' }));
      await send(new CreateThingGroupCommand({ thingGroupName: 'g' }));
      await create('p');
      const target = `arn:aws:iot:us-east-1:${ACCOUNT}:thinggroup/g`;
      await send(new AttachSecurityProfileCommand({ securityProfileName: 'p', securityProfileTargetArn: target }));
      await send(new DeleteSecurityProfileCommand({ securityProfileName: 'p' }));
      assert.deepEqual(await names(), []);
      await create('p');
      assert.deepEqual((await send(new ListSecurityProfilesForTargetCommand({ securityProfileTargetArn: target }))).securityProfileTargetMappings, []);
    });

    test('profiles belong to their account and region', async () => {
      await reset(server.url);
      await create('here');
      const eu = iot(server.url, undefined, 'eu-west-1');
      try {
        await failure(eu.send(new DescribeSecurityProfileCommand({ securityProfileName: 'here' })), 'ResourceNotFoundException', 404);
        assert.deepEqual((await eu.send(new ListSecurityProfilesCommand({}))).securityProfileIdentifiers, []);
        const c = await eu.send(new CreateSecurityProfileCommand({ securityProfileName: 'here' }));
        assert.equal(c.securityProfileArn, profileArn('here', 'eu-west-1'));
      } finally {
        eu.destroy();
      }
      assert.equal((await describeProfile('here')).securityProfileArn, profileArn('here'));
    });
  });
}
