// Certificates, CA certificates and thing principals through real clients: boto3 under both
// Pythons (test/wire/py/certificates.py) and both AWS CLIs. The PEM files are made here with real
// keys after each reset, once the server's registration code is known. One server for the file.
// The CLI commands run through each CLI's own script in one long-lived Python process per CLI
// (test/wire/cli-runner.ts), a new driver per command; test/wire/cli-runner.test.ts checks on a sample
// that this gives what the CLI's own process gives.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GetRegistrationCodeCommand } from '@aws-sdk/client-iot';
import { iot, reset, ROOT, startServer, type Running } from '../harness.js';
import { makeCa, makeLeaf, makeSelfSigned } from '../operations/certificates-helpers.js';
import { awsIot } from './aws-iot.js';
import { stopCliRunners } from './cli-runner.js';
import { pythonScenario } from './env.js';

const SCRIPT = join(ROOT, 'test/wire/py/certificates.py');
const PYTHONS = [
  { name: 'boto3 1.43 on pyenv python3', python: 'python3', signingName: 'iot', types: true },
  { name: 'boto3 1.26 on Debian /usr/bin/python3', python: '/usr/bin/python3', signingName: 'execute-api', types: false },
];
const CLIS = [
  { name: 'AWS CLI v1 (pyenv aws)', cmd: 'aws', errorExit: 255 },
  { name: 'AWS CLI v2 (Debian /usr/bin/aws)', cmd: '/usr/bin/aws', errorExit: 254 },
];
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();

type Call = Record<string, any>;
const okCall = (c: Call, what: string) => assert.equal(c.ok, true, `${what}: ${c.code} ${c.message}`);
function errCall(c: Call, code: string, status: number, what: string): void {
  assert.equal(c.ok, false, `${what}: expected ${code}, got success`);
  assert.equal(c.code, code, `${what}: ${c.message}`);
  assert.equal(c.status, status, what);
}

let server: Running;
const dirs: string[] = [];

/** Resets the server and writes fresh PEM files for one client run; returns the folder and the ids to expect. */
async function materials(): Promise<{ dir: string; code: string; caId: string; deviceId: string; selfId: string }> {
  await reset(server.url);
  const client = iot(server.url);
  const code = (await client.send(new GetRegistrationCodeCommand({}))).registrationCode!;
  client.destroy();
  const ca = await makeCa();
  const files: Record<string, string> = {
    'ca.pem': ca.pem,
    'verification.pem': await makeLeaf(ca, { subject: `CN=${code}` }),
    'wrong-cn.pem': await makeLeaf(ca, { subject: 'CN=wrong' }),
    'device.pem': await makeLeaf(ca),
    'forged.pem': await makeLeaf(ca, { signer: (await makeCa()).keys }),
    'self-signed.pem': await makeSelfSigned(),
  };
  const dir = mkdtempSync(join(tmpdir(), 'warden-certs-'));
  dirs.push(dir);
  for (const [name, pem] of Object.entries(files)) writeFileSync(join(dir, name), pem);
  return { dir, code, caId: fingerprint(ca.pem), deviceId: fingerprint(files['device.pem']), selfId: fingerprint(files['self-signed.pem']) };
}

before(async () => {
  server = await startServer({ backend: 'sqlite' });
});

after(async () => {
  stopCliRunners();
  await server?.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

for (const py of PYTHONS) {
  describe(py.name, () => {
    let o: Record<string, Call>;
    let m: Awaited<ReturnType<typeof materials>>;
    before(async () => {
      m = await materials();
      o = await pythonScenario(py.python, [SCRIPT, server.url, m.dir]);
    });

    test('is the intended boto3', () => {
      assert.equal(o.client.signingName, py.signingName);
      assert.equal(o.client.thingPrincipalTypes, py.types);
    });

    test('CA registration: the proof of possession is checked, the CA is described and listed', () => {
      assert.equal(o.code.registrationCode, m.code);
      errCall(o.caWrongCn, 'RegistrationCodeValidationException', 400, 'wrong CN');
      okCall(o.ca, 'register CA');
      assert.equal(o.ca.certificateId, m.caId);
      const d = o.describeCa.certificateDescription;
      assert.equal(d.status, 'ACTIVE');
      assert.equal(d.autoRegistrationStatus, 'ENABLE');
      assert.equal(d.certificateMode, 'DEFAULT');
      assert.equal(d.validity.notAfter.datetime, true);
      assert.deepEqual(o.describeCa.registrationConfig, { templateName: 'jitp' });
      assert.deepEqual(o.listCa.certificates.map((c: Call) => c.certificateId), [m.caId]);
    });

    test('device certificates: chain verified, duplicates refused, REVOKED final, real dates, paginated lists', () => {
      okCall(o.device, 'register device');
      assert.equal(o.device.certificateId, m.deviceId);
      errCall(o.forged, 'CertificateValidationException', 400, 'forged signature');
      errCall(o.deviceAgain, 'ResourceAlreadyExistsException', 409, 'registered twice');
      assert.equal(o.deviceAgain.extra.resourceId, m.deviceId);
      assert.equal(o.noCa.certificateId, m.selfId);
      assert.match(o.keys.certificateId, /^[0-9a-f]{64}$/);
      assert.match(o.keys.keyPair.PrivateKey, /BEGIN RSA PRIVATE KEY/);
      const d = o.describe.certificateDescription;
      assert.equal(d.caCertificateId, m.caId);
      assert.equal(d.status, 'ACTIVE');
      assert.equal(d.validity.notBefore.tzaware, true);
      assert.deepEqual(o.list.items.map((c: Call) => c.certificateId), [m.deviceId, m.selfId, o.keys.certificateId]);
      assert.equal(o.list.pages, 2, 'pageSize 2 gives two pages through nextMarker');
      assert.deepEqual(o.listByCa.certificates.map((c: Call) => c.certificateId), [m.deviceId]);
      okCall(o.revoke, 'revoke');
      errCall(o.unrevoke, 'CertificateStateException', 406, 'REVOKED is final');
      errCall(o.deleteActive, 'CertificateStateException', 406, 'delete ACTIVE');
      assert.equal(o.deleteActive.message, `Certificate must be deactivated (not ACTIVE) before deletion. Id: ${o.keys.certificateId}`);
    });

    test('principals: attach, list both ways, delete conflict while attached, then detach and delete', () => {
      okCall(o.attach, 'attach');
      assert.deepEqual(o.thingPrincipals.items, [o.keys.certificateArn]);
      assert.deepEqual(o.principalThings.things, ['wire-thing']);
      if (py.types) assert.deepEqual(o.principalThingsV2.principalThingObjects, [{ thingName: 'wire-thing', thingPrincipalType: 'EXCLUSIVE_THING' }]);
      errCall(o.deleteAttached, 'DeleteConflictException', 409, 'delete while attached');
      assert.equal(o.deleteAttached.message, `Things must be detached before deletion (arn: ${o.keys.certificateArn})`);
      okCall(o.detach, 'detach');
      okCall(o.delete, 'delete');
      errCall(o.describeDeleted, 'ResourceNotFoundException', 404, 'deleted');
      okCall(o.caInactive, 'CA inactive');
      errCall(o.deleteCa, 'CertificateStateException', 406, 'CA with registered devices');
    });
  });
}

for (const cli of CLIS) {
  describe(cli.name, () => {
    const { ok, fails } = awsIot(cli, () => server.url);

    test('register a CA and its device, list with pages, revoke, attach to a thing, refuse deletes', async () => {
      const m = await materials();
      const file = (name: string) => `file://${join(m.dir, name)}`;
      assert.equal((await ok(['get-registration-code'])).registrationCode, m.code);
      const ca = await ok(['register-ca-certificate', '--ca-certificate', file('ca.pem'), '--verification-certificate', file('verification.pem'), '--set-as-active']);
      assert.equal(ca.certificateId, m.caId);
      const device = await ok(['register-certificate', '--certificate-pem', file('device.pem'), '--set-as-active']);
      assert.equal(device.certificateId, m.deviceId);
      await fails(['register-certificate', '--certificate-pem', file('forged.pem')], 'CertificateValidationException', 'RegisterCertificate');
      const self = await ok(['register-certificate-without-ca', '--certificate-pem', file('self-signed.pem'), '--status', 'ACTIVE']);
      assert.equal(self.certificateId, m.selfId);
      // --page-size is the API's own member here, so the CLI does not follow the marker: we do.
      const first = await ok(['list-certificates', '--page-size', '1', '--ascending-order']);
      assert.match(first.nextMarker, /^[A-Za-z0-9+/]+={0,2}$/);
      const second = await ok(['list-certificates', '--page-size', '1', '--ascending-order', '--marker', first.nextMarker]);
      assert.deepEqual([...first.certificates, ...second.certificates].map((c: Call) => c.certificateId), [m.deviceId, m.selfId]);
      assert.equal(second.nextMarker, undefined);
      assert.equal((await ok(['list-certificates'])).certificates.length, 2);
      const d = (await ok(['describe-certificate', '--certificate-id', m.deviceId])).certificateDescription;
      assert.equal(d.caCertificateId, m.caId);
      assert.equal(d.status, 'ACTIVE');
      await ok(['update-certificate', '--certificate-id', m.selfId, '--new-status', 'REVOKED']);
      await fails(['update-certificate', '--certificate-id', m.selfId, '--new-status', 'ACTIVE'], 'CertificateStateException', 'UpdateCertificate');
      await ok(['create-thing', '--thing-name', 'cli-thing']);
      await ok(['attach-thing-principal', '--thing-name', 'cli-thing', '--principal', device.certificateArn]);
      assert.deepEqual((await ok(['list-thing-principals', '--thing-name', 'cli-thing'])).principals, [device.certificateArn]);
      await fails(['delete-certificate', '--certificate-id', m.deviceId], 'CertificateStateException', 'DeleteCertificate');
    });
  });
}
