// registry/effective-policies.ts, the lookup the broker asks for a connection's policies: set up
// through the API, then read through a Store opened on the stopped server's database, on both backends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DetachPolicyCommand,
} from '@aws-sdk/client-iot';
import { effectivePolicyDocuments } from '../../src/registry/effective-policies.js';
import { Store } from '../../src/store/store.js';
import { BACKENDS, iot, startServer, type Running } from '../harness.js';

const doc = (action: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const scope = { accountId: '000000000000', region: 'us-east-1' };

for (const backend of BACKENDS) {
  describe(`effectivePolicyDocuments (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    let store: Store;
    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await store?.close();
      await server?.cleanup();
    });

    test('certificate, thing group and ancestor policies; detached ones left out; the default version counts', async () => {
      const cert = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      const other = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await client.send(new CreateThingCommand({ thingName: 'dev1' }));
      await client.send(new AttachThingPrincipalCommand({ thingName: 'dev1', principal: cert.certificateArn! }));
      const parent = (await client.send(new CreateThingGroupCommand({ thingGroupName: 'parent' }))).thingGroupArn!;
      const child = (await client.send(new CreateThingGroupCommand({ thingGroupName: 'child', parentGroupName: 'parent' }))).thingGroupArn!;
      const elsewhere = (await client.send(new CreateThingGroupCommand({ thingGroupName: 'elsewhere' }))).thingGroupArn!;
      await client.send(new AddThingToThingGroupCommand({ thingName: 'dev1', thingGroupName: 'child' }));
      for (const n of ['pCert', 'pChild', 'pParent', 'pDetached', 'pElsewhere', 'pOther']) {
        await client.send(new CreatePolicyCommand({ policyName: n, policyDocument: doc(`iot:${n}`) }));
      }
      await client.send(new AttachPolicyCommand({ policyName: 'pCert', target: cert.certificateArn! }));
      await client.send(new AttachPolicyCommand({ policyName: 'pChild', target: child }));
      await client.send(new AttachPolicyCommand({ policyName: 'pParent', target: parent }));
      await client.send(new AttachPolicyCommand({ policyName: 'pElsewhere', target: elsewhere }));
      await client.send(new AttachPolicyCommand({ policyName: 'pOther', target: other.certificateArn! }));
      await client.send(new AttachPolicyCommand({ policyName: 'pDetached', target: cert.certificateArn! }));
      await client.send(new DetachPolicyCommand({ policyName: 'pDetached', target: cert.certificateArn! }));
      await client.send(new CreatePolicyVersionCommand({ policyName: 'pParent', policyDocument: doc('iot:Changed'), setAsDefault: true }));
      await client.send(new CreatePolicyVersionCommand({ policyName: 'pChild', policyDocument: doc('iot:NotDefault'), setAsDefault: false }));

      // The server stops first: an SQLite data folder has one owner at a time.
      await server.stop();
      store = await Store.open({ dataDir: server.dataDir, databaseUrl: server.databaseUrl });
      const got = await effectivePolicyDocuments(store.repos, scope, cert.certificateArn!, 'dev1');
      assert.deepEqual(got, [
        { policyName: 'pCert', document: doc('iot:pCert') },
        { policyName: 'pChild', document: doc('iot:pChild') },
        { policyName: 'pParent', document: doc('iot:Changed') },
      ]);
      const certOnly = await effectivePolicyDocuments(store.repos, scope, cert.certificateArn!);
      assert.deepEqual(certOnly.map((p) => p.policyName), ['pCert'], 'without a thing, no group policy applies');
    });
  });
}
