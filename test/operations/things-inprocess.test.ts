// In-process server (createServer with a ManualClock): DeleteThingType's five-minute wait after
// deprecation, with a clock the test moves (the SDK's signatures stay within the 15-minute skew:
// the clock moves at most 11 minutes ahead), and the registry path the mitigation engine calls
// (src/registry/things.ts) on the server's own store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AddThingToThingGroupCommand,
  CreateDynamicThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DeleteThingCommand,
  DeleteThingTypeCommand,
  DeprecateThingTypeCommand,
  DescribeThingTypeCommand,
  IoTServiceException,
} from '@aws-sdk/client-iot';
import { InvalidRequestException, ResourceNotFoundException } from '../../src/generated/errors.js';
import { createServer, ManualClock, type WardenServer } from '../../src/index.js';
import { addThingToThingGroup, ancestorsOfGroup, groupsOfThing, thingExists, ThingGroupLimitError } from '../../src/registry/things.js';
import { BACKENDS, dropSchema, freshSchema, iot, PG_BASE } from '../harness.js';

async function refused(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof IoTServiceException);
    assert.equal(e.name, 'InvalidRequestException');
    assert.equal(e.$metadata.httpStatusCode, 400);
    assert.match(e.message, message);
    return true;
  });
}

for (const backend of BACKENDS) {
  describe(`in-process: thing type deletion wait and the shared registry path (${backend})`, () => {
    const clock = new ManualClock(new Date());
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-things-clock-'));
    const schema = freshSchema();
    let server: WardenServer;
    let client: ReturnType<typeof iot>;

    before(async () => {
      server = await createServer({
        port: 0,
        dataDir,
        databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined,
        clock,
        logLevel: 'silent',
      });
      client = iot(await server.listen());
    });
    after(async () => {
      client?.destroy();
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    test('refused before 5 minutes and while a thing has the type; allowed after both', async () => {
      await client.send(new CreateThingTypeCommand({ thingTypeName: 'Sensor' }));
      await client.send(new CreateThingCommand({ thingName: 's1', thingTypeName: 'Sensor' }));
      await client.send(new DeprecateThingTypeCommand({ thingTypeName: 'Sensor' }));
      clock.advance(4 * 60 * 1000 + 59 * 1000);
      await refused(client.send(new DeleteThingTypeCommand({ thingTypeName: 'Sensor' })), /less than 5 minutes.*in 1 seconds/);
      clock.advance(1000);
      await refused(client.send(new DeleteThingTypeCommand({ thingTypeName: 'Sensor' })), /things are associated/);
      await client.send(new DeleteThingCommand({ thingName: 's1' }));
      await client.send(new DeleteThingTypeCommand({ thingTypeName: 'Sensor' }));
      await assert.rejects(client.send(new DescribeThingTypeCommand({ thingTypeName: 'Sensor' })), { name: 'ResourceNotFoundException' });
    });

    test('undoing the deprecation restarts the wait', async () => {
      await client.send(new CreateThingTypeCommand({ thingTypeName: 'Relay' }));
      await client.send(new DeprecateThingTypeCommand({ thingTypeName: 'Relay' }));
      clock.advance(6 * 60 * 1000);
      await client.send(new DeprecateThingTypeCommand({ thingTypeName: 'Relay', undoDeprecate: true }));
      await client.send(new DeprecateThingTypeCommand({ thingTypeName: 'Relay' }));
      await refused(client.send(new DeleteThingTypeCommand({ thingTypeName: 'Relay' })), /less than 5 minutes/);
    });

    test('addThingToThingGroup for the engine: same rules, model errors, ThingGroupLimitError, override leaves the last dynamic group', async () => {
      const scope = { accountId: '000000000000', region: 'us-east-1', clock };
      const store = server.store;
      await client.send(new CreateThingGroupCommand({ thingGroupName: 'org' }));
      await client.send(new CreateThingGroupCommand({ thingGroupName: 'team', parentGroupName: 'org' }));
      await client.send(new CreateThingGroupCommand({ thingGroupName: 'quarantine' }));
      await client.send(new CreateDynamicThingGroupCommand({ thingGroupName: 'auto', queryString: 'attributes.risk:high' }));
      await client.send(new CreateThingCommand({ thingName: 'dev', attributePayload: { attributes: { risk: 'high' } } }));
      for (let i = 0; i < 8; i++) {
        await client.send(new CreateThingGroupCommand({ thingGroupName: `g${i}` }));
        await client.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: `g${i}` }));
      }
      await store.transaction((tx) => addThingToThingGroup(tx, scope, { thingName: 'dev', thingGroupName: 'team' }));
      assert.equal((await groupsOfThing(store.repos, scope, 'dev')).length, 10);
      await assert.rejects(
        store.transaction((tx) => addThingToThingGroup(tx, scope, { thingName: 'dev', thingGroupName: 'quarantine' })),
        (e: unknown) => e instanceof ThingGroupLimitError && e instanceof InvalidRequestException && e.name === 'InvalidRequestException',
      );
      await store.transaction((tx) => addThingToThingGroup(tx, scope, { thingName: 'dev', thingGroupName: 'quarantine', overrideDynamicGroups: true }));
      const groups = await groupsOfThing(store.repos, scope, 'dev');
      assert.ok(groups.includes('quarantine') && !groups.includes('auto'), `${groups}`);
      await assert.rejects(
        store.transaction((tx) => addThingToThingGroup(tx, scope, { thingName: 'dev', thingGroupName: 'missing' })),
        (e: unknown) => e instanceof ResourceNotFoundException,
      );
      await assert.rejects(
        store.transaction((tx) => addThingToThingGroup(tx, scope, { thingName: 'nobody', thingGroupName: 'quarantine' })),
        (e: unknown) => e instanceof ResourceNotFoundException,
      );
      assert.equal(await thingExists(store.repos, scope, 'dev'), true);
      assert.equal(await thingExists(store.repos, scope, 'nobody'), false);
      assert.deepEqual(await ancestorsOfGroup(store.repos, scope, 'team'), ['org']);
      assert.deepEqual(await ancestorsOfGroup(store.repos, scope, 'org'), []);
    });
  });
}
