import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  CreateThingTypeCommand,
  DeleteThingCommand,
  DeleteThingTypeCommand,
  DeprecateThingTypeCommand,
  DescribeThingCommand,
  DescribeThingTypeCommand,
  DetachThingPrincipalCommand,
  IoTServiceException,
  ListThingsCommand,
  ListThingTypesCommand,
  UpdateThingCommand,
  paginateListThings,
  paginateListThingTypes,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running, assertFails as failure } from '../harness.js';
import { exactly } from './messages-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ARN = (resource: string, region = 'us-east-1') => `arn:aws:iot:${region}:000000000000:${resource}`;

for (const backend of BACKENDS) {
  describe(`things and thing types through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    const send = <T>(c: T) => client.send(c as never) as Promise<any>;
    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('CreateThing and DescribeThing: ARN, UUID, defaultClientId, version 1, attributes', async () => {
      await reset(server.url);
      const c = await send(new CreateThingCommand({ thingName: 'lamp', attributePayload: { attributes: { color: 'red', watts: '60' } } }));
      assert.equal(c.thingName, 'lamp');
      assert.equal(c.thingArn, ARN('thing/lamp'));
      assert.match(c.thingId, UUID);
      const d = await send(new DescribeThingCommand({ thingName: 'lamp' }));
      assert.deepEqual(
        { ...d, $metadata: undefined },
        { $metadata: undefined, defaultClientId: 'lamp', thingName: 'lamp', thingId: c.thingId, thingArn: c.thingArn, attributes: { color: 'red', watts: '60' }, version: 1 },
      );
      await failure(send(new DescribeThingCommand({ thingName: 'nothing' })), 'ResourceNotFoundException', 404, /nothing/);
    });

    test('CreateThing again: same configuration answers the same ids, another conflicts with resourceId and resourceArn', async () => {
      await reset(server.url);
      const first = await send(new CreateThingCommand({ thingName: 'dup', attributePayload: { attributes: { a: '1', b: '2' } } }));
      const again = await send(new CreateThingCommand({ thingName: 'dup', attributePayload: { attributes: { b: '2', a: '1' } } }));
      assert.equal(again.thingId, first.thingId);
      try {
        await send(new CreateThingCommand({ thingName: 'dup', attributePayload: { attributes: { a: '9' } } }));
        assert.fail('expected a conflict');
      } catch (e: any) {
        assert.equal(e.name, 'ResourceAlreadyExistsException');
        assert.equal(e.$metadata.httpStatusCode, 409);
        assert.equal(e.resourceId, first.thingId);
        assert.equal(e.resourceArn, first.thingArn);
      }
    });

    test('CreateThing: the type must exist and not be deprecated; an unknown billing group is refused', async () => {
      await reset(server.url);
      await failure(send(new CreateThingCommand({ thingName: 't', thingTypeName: 'Ghost' })), 'ResourceNotFoundException', 404, /Ghost/);
      await send(new CreateThingTypeCommand({ thingTypeName: 'Old' }));
      await send(new DeprecateThingTypeCommand({ thingTypeName: 'Old' }));
      await failure(send(new CreateThingCommand({ thingName: 't', thingTypeName: 'Old' })), 'InvalidRequestException', 400, exactly('Can not create new thing with depreated thing type:Old'));
      await send(new DeprecateThingTypeCommand({ thingTypeName: 'Old', undoDeprecate: true }));
      const c = await send(new CreateThingCommand({ thingName: 't', thingTypeName: 'Old' }));
      assert.equal((await send(new DescribeThingCommand({ thingName: 't' }))).thingTypeName, 'Old');
      assert.equal(c.thingName, 't');
      await failure(send(new CreateThingCommand({ thingName: 'b', billingGroupName: 'bg' })), 'ResourceNotFoundException', 404, /bg/);
    });

    test('attribute quotas: 3 without a thing type, 50 with one', async () => {
      await reset(server.url);
      const four = { attributes: { a: '1', b: '2', c: '3', d: '4' } };
      await failure(send(new CreateThingCommand({ thingName: 'untyped', attributePayload: four })), 'InvalidRequestException', 400, /at most 3/);
      await send(new CreateThingTypeCommand({ thingTypeName: 'T' }));
      await send(new CreateThingCommand({ thingName: 'typed', thingTypeName: 'T', attributePayload: four }));
      const fiftyOne = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
      await failure(send(new UpdateThingCommand({ thingName: 'typed', attributePayload: { attributes: fiftyOne } })), 'InvalidRequestException', 400, /at most 50/);
      await failure(send(new UpdateThingCommand({ thingName: 'typed', removeThingType: true })), 'InvalidRequestException', 400, /at most 3/);
    });

    test('UpdateThing: merge keeps and overwrites, an empty value removes, no merge replaces; version goes up', async () => {
      await reset(server.url);
      await send(new CreateThingCommand({ thingName: 'm', attributePayload: { attributes: { a: '1', b: '2', c: '3' } } }));
      await send(new UpdateThingCommand({ thingName: 'm', attributePayload: { attributes: { b: '20', c: '' }, merge: true } }));
      let d = await send(new DescribeThingCommand({ thingName: 'm' }));
      assert.deepEqual(d.attributes, { a: '1', b: '20' });
      assert.equal(d.version, 2);
      await send(new UpdateThingCommand({ thingName: 'm', attributePayload: { attributes: { z: '26' } } }));
      d = await send(new DescribeThingCommand({ thingName: 'm' }));
      assert.deepEqual(d.attributes, { z: '26' });
      assert.equal(d.version, 3);
      await send(new UpdateThingCommand({ thingName: 'm', expectedVersion: 3 }));
      assert.equal((await send(new DescribeThingCommand({ thingName: 'm' }))).version, 4);
      await failure(send(new UpdateThingCommand({ thingName: 'm', expectedVersion: 3 })), 'VersionConflictException', 409, /version 4/);
      await failure(send(new UpdateThingCommand({ thingName: 'gone', attributePayload: { attributes: {} } })), 'ResourceNotFoundException', 404, /gone/);
    });

    test('UpdateThing: thing type set, refused when deprecated or missing, removed with removeThingType', async () => {
      await reset(server.url);
      await send(new CreateThingTypeCommand({ thingTypeName: 'A' }));
      await send(new CreateThingTypeCommand({ thingTypeName: 'B' }));
      await send(new CreateThingCommand({ thingName: 'x', thingTypeName: 'A' }));
      await send(new DeprecateThingTypeCommand({ thingTypeName: 'A' }));
      await send(new UpdateThingCommand({ thingName: 'x', thingTypeName: 'A', attributePayload: { attributes: { k: 'v' } } }));
      assert.equal((await send(new DescribeThingCommand({ thingName: 'x' }))).thingTypeName, 'A', 'keeping a deprecated type is allowed');
      await send(new DeprecateThingTypeCommand({ thingTypeName: 'B' }));
      await failure(send(new UpdateThingCommand({ thingName: 'x', thingTypeName: 'B' })), 'InvalidRequestException', 400, exactly('Can not update a thing to use deprecated thing type: B'));
      await failure(send(new UpdateThingCommand({ thingName: 'x', thingTypeName: 'C' })), 'ResourceNotFoundException', 404, /C/);
      await failure(send(new UpdateThingCommand({ thingName: 'x', thingTypeName: 'A', removeThingType: true })), 'InvalidRequestException', 400);
      await send(new UpdateThingCommand({ thingName: 'x', removeThingType: true }));
      const d = await send(new DescribeThingCommand({ thingName: 'x' }));
      assert.equal(d.thingTypeName, undefined);
      assert.deepEqual(d.attributes, { k: 'v' });
    });

    test('DeleteThing: missing succeeds, expectedVersion is checked, attached principals refuse it', async () => {
      await reset(server.url);
      await send(new DeleteThingCommand({ thingName: 'never' }));
      await send(new CreateThingCommand({ thingName: 'd' }));
      await failure(send(new DeleteThingCommand({ thingName: 'd', expectedVersion: 7 })), 'VersionConflictException', 409);
      const cert = await send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await send(new AttachThingPrincipalCommand({ thingName: 'd', principal: cert.certificateArn }));
      await failure(send(new DeleteThingCommand({ thingName: 'd' })), 'InvalidRequestException', 400, exactly('Cannot delete. Thing d is still attached to one or more principals'));
      await send(new DetachThingPrincipalCommand({ thingName: 'd', principal: cert.certificateArn }));
      await send(new DeleteThingCommand({ thingName: 'd', expectedVersion: 1 }));
      await failure(send(new DescribeThingCommand({ thingName: 'd' })), 'ResourceNotFoundException', 404);
      await send(new DeleteThingCommand({ thingName: 'd' }));
    });

    test('ListThings: pages in name order, filters by type, attribute value, value prefix and attribute name', async () => {
      await reset(server.url);
      await send(new CreateThingTypeCommand({ thingTypeName: 'Light' }));
      const names = ['t07', 't01', 't05', 't03', 't02', 't06', 't04'];
      for (const [i, n] of names.entries()) {
        await send(
          new CreateThingCommand({ thingName: n, thingTypeName: i % 2 ? 'Light' : undefined, attributePayload: { attributes: i < 4 ? { site: `paris-${i}` } : { floor: '2' } } }),
        );
      }
      const seen: string[] = [];
      for await (const p of paginateListThings({ client, pageSize: 3 }, {})) {
        assert.ok(p.things!.length <= 3);
        seen.push(...p.things!.map((t) => t.thingName!));
      }
      assert.deepEqual(seen, [...names].sort());
      const first = await send(new ListThingsCommand({ maxResults: 1 }));
      assert.deepEqual(first.things, [{ thingName: 't01', thingArn: ARN('thing/t01'), thingTypeName: 'Light', attributes: { site: 'paris-1' }, version: 1 }]);
      const only = async (input: object) => (await send(new ListThingsCommand(input))).things.map((t: any) => t.thingName);
      assert.deepEqual(await only({ thingTypeName: 'Light' }), ['t01', 't03', 't06']);
      assert.deepEqual(await only({ attributeName: 'site', attributeValue: 'paris-2' }), ['t05']);
      assert.deepEqual(await only({ attributeName: 'site', attributeValue: 'paris', usePrefixAttributeValue: true }), ['t01', 't03', 't05', 't07']);
      assert.deepEqual(await only({ attributeName: 'site', attributeValue: 'paris', usePrefixAttributeValue: true, thingTypeName: 'Light' }), ['t01', 't03']);
      assert.deepEqual(await only({ attributeName: 'site', attributeValue: 'paris' }), []);
      assert.deepEqual(await only({ attributeName: 'floor' }), ['t02', 't04', 't06']);
      await failure(send(new ListThingsCommand({ attributeValue: 'x' })), 'InvalidRequestException', 400, /attributeName/);
      await failure(send(new ListThingsCommand({ nextToken: 'forged' })), 'InvalidRequestException', 400, /nextToken/);
    });

    test('ListThings pages stay stable while things are created', async () => {
      await reset(server.url);
      for (const n of ['b', 'd', 'f', 'h']) await send(new CreateThingCommand({ thingName: n }));
      const p1 = await send(new ListThingsCommand({ maxResults: 2 }));
      assert.deepEqual(p1.things.map((t: any) => t.thingName), ['b', 'd']);
      await send(new CreateThingCommand({ thingName: 'a' }));
      await send(new CreateThingCommand({ thingName: 'e' }));
      const p2 = await send(new ListThingsCommand({ maxResults: 2, nextToken: p1.nextToken }));
      assert.deepEqual(p2.things.map((t: any) => t.thingName), ['e', 'f']);
      const p3 = await send(new ListThingsCommand({ maxResults: 2, nextToken: p2.nextToken }));
      assert.deepEqual(p3.things.map((t: any) => t.thingName), ['h']);
      assert.equal(p3.nextToken, undefined);
    });

    test('things belong to one region', async () => {
      await reset(server.url);
      await send(new CreateThingCommand({ thingName: 'here' }));
      const eu = iot(server.url, undefined, 'eu-west-1');
      try {
        await failure(eu.send(new DescribeThingCommand({ thingName: 'here' })), 'ResourceNotFoundException', 404);
        const c = await eu.send(new CreateThingCommand({ thingName: 'here' }));
        assert.equal(c.thingArn, ARN('thing/here', 'eu-west-1'));
      } finally {
        eu.destroy();
      }
    });

    test('thing types: create, idempotent re-create, conflict, describe metadata, list and filter', async () => {
      await reset(server.url);
      const props = { searchableAttributes: ['watts', 'model'], mqtt5Configuration: { propagatingAttributes: [{ userPropertyKey: 'k', thingAttribute: 'model' }] } };
      const c = await send(new CreateThingTypeCommand({ thingTypeName: 'Light', thingTypeProperties: props, tags: [{ Key: 'team', Value: 'a' }] }));
      assert.equal(c.thingTypeArn, ARN('thingtype/Light'));
      assert.match(c.thingTypeId, UUID);
      assert.equal((await send(new CreateThingTypeCommand({ thingTypeName: 'Light', thingTypeProperties: props }))).thingTypeId, c.thingTypeId);
      try {
        await send(new CreateThingTypeCommand({ thingTypeName: 'Light', thingTypeProperties: { searchableAttributes: ['watts'] } }));
        assert.fail('expected a conflict');
      } catch (e: any) {
        assert.equal(e.name, 'ResourceAlreadyExistsException');
        assert.equal(e.resourceId, c.thingTypeId);
      }
      const d = await send(new DescribeThingTypeCommand({ thingTypeName: 'Light' }));
      assert.equal(d.thingTypeId, c.thingTypeId);
      assert.equal(d.thingTypeArn, c.thingTypeArn);
      assert.deepEqual(d.thingTypeProperties, props);
      assert.equal(d.thingTypeMetadata.deprecated, false);
      assert.equal(d.thingTypeMetadata.deprecationDate, undefined);
      assert.ok(Math.abs(d.thingTypeMetadata.creationDate.getTime() - Date.now()) < 10_000);
      await failure(send(new DescribeThingTypeCommand({ thingTypeName: 'Nope' })), 'ResourceNotFoundException', 404, /Nope/);
      for (const n of ['Fan', 'Door', 'Bell']) await send(new CreateThingTypeCommand({ thingTypeName: n }));
      const seen: string[] = [];
      for await (const p of paginateListThingTypes({ client, pageSize: 3 }, {})) seen.push(...p.thingTypes!.map((t) => t.thingTypeName!));
      assert.deepEqual(seen, ['Bell', 'Door', 'Fan', 'Light']);
      const one = await send(new ListThingTypesCommand({ thingTypeName: 'Light' }));
      assert.deepEqual(one.thingTypes.map((t: any) => [t.thingTypeName, t.thingTypeArn, t.thingTypeProperties.searchableAttributes]), [['Light', c.thingTypeArn, ['watts', 'model']]]);
      assert.equal(one.thingTypes[0].thingTypeMetadata.deprecated, false);
    });

    test('descriptions of thing types round-trip (model pattern [\\p{Graph}\\x20]*)', async () => {
      await reset(server.url);
      const thingTypeProperties = { thingTypeDescription: 'Ceiling lights, 60 W (v2)' };
      await send(new CreateThingTypeCommand({ thingTypeName: 'Described', thingTypeProperties }));
      assert.deepEqual((await send(new DescribeThingTypeCommand({ thingTypeName: 'Described' }))).thingTypeProperties, thingTypeProperties);
    });

    test('thing types: deprecate and undo; delete needs a deprecated type, 5 minutes after deprecation', async () => {
      await reset(server.url);
      await send(new CreateThingTypeCommand({ thingTypeName: 'Bulb' }));
      await failure(send(new DeleteThingTypeCommand({ thingTypeName: 'Bulb' })), 'InvalidRequestException', 400, /must be deprecated/);
      const before = Date.now();
      await send(new DeprecateThingTypeCommand({ thingTypeName: 'Bulb' }));
      const d = await send(new DescribeThingTypeCommand({ thingTypeName: 'Bulb' }));
      assert.equal(d.thingTypeMetadata.deprecated, true);
      assert.ok(d.thingTypeMetadata.deprecationDate.getTime() >= before - 1000);
      await failure(send(new DeleteThingTypeCommand({ thingTypeName: 'Bulb' })), 'InvalidRequestException', 400, /less than 5 minutes/);
      await send(new DeprecateThingTypeCommand({ thingTypeName: 'Bulb', undoDeprecate: true }));
      const u = await send(new DescribeThingTypeCommand({ thingTypeName: 'Bulb' }));
      assert.equal(u.thingTypeMetadata.deprecated, false);
      assert.equal(u.thingTypeMetadata.deprecationDate, undefined);
      await failure(send(new DeleteThingTypeCommand({ thingTypeName: 'Nope' })), 'ResourceNotFoundException', 404);
      await failure(send(new DeprecateThingTypeCommand({ thingTypeName: 'Nope' })), 'ResourceNotFoundException', 404);
    });
  });
}
