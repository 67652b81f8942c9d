// The facts a session's policy decisions will resolve variables from (src/broker/session-policies.ts):
// the certificate's subject and issuer fields, and the thing only when it is attached and named
// as the client id.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AttachThingPrincipalCommand, CreateKeysAndCertificateCommand, CreateThingCommand } from '@aws-sdk/client-iot';
import { createServer, type WardenServer } from '../../src/index.js';
import { dnVariables, sessionPolicies } from '../../src/broker/session-policies.js';
import { iot } from '../harness.js';

describe('session policies and facts (sqlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-session-facts-'));
  let server: WardenServer;
  before(async () => {
    server = await createServer({ port: 0, dataDir, logLevel: 'silent', engine: false });
    await server.listen();
  });
  after(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('DN fields by the engine names', () => {
    assert.deepEqual(dnVariables('C=DE\nO=Acme\nOU=Fleet\nCN=sensor-1'), { Country: 'DE', Organization: 'Acme', OrganizationalUnit: 'Fleet', CommonName: 'sensor-1' });
  });

  test('the thing resolves only when attached and named as the client id; documents are asked for that thing', async () => {
    const client = iot(server.url);
    const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await client.send(new CreateThingCommand({ thingName: 'sensor-1', attributePayload: { attributes: { floor: '3' } } }));
    await client.send(new AttachThingPrincipalCommand({ thingName: 'sensor-1', principal: r.certificateArn! }));
    const asked: (string | undefined)[] = [];
    const load = sessionPolicies(server.store.repos, async (_repos, _scope, _arn, thingName) => (asked.push(thingName), [{ policyName: 'p', document: '{}' }]));
    const base = { accountId: '000000000000', region: 'us-east-1', certificateId: r.certificateId!, certificateArn: r.certificateArn!, cert: new X509Certificate(r.certificatePem!) };
    const mine = await load({ ...base, clientId: 'sensor-1' });
    assert.deepEqual(mine.facts.thing, { name: 'sensor-1', typeName: undefined, attributes: { floor: '3' } });
    assert.equal(mine.facts.certificate.subject.CommonName, 'AWS IoT Certificate');
    assert.deepEqual(mine.documents, ['{}']);
    const other = await load({ ...base, clientId: 'someone-else' });
    assert.equal(other.facts.thing, undefined);
    assert.deepEqual(asked, ['sensor-1', undefined]);
  });
});
