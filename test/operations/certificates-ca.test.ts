// CA certificates and the registration code through @aws-sdk/client-iot on both backends.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  DeleteCACertificateCommand,
  DeleteCertificateCommand,
  DeleteRegistrationCodeCommand,
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  GetRegistrationCodeCommand,
  ListCACertificatesCommand,
  ListCertificatesByCACommand,
  ListTagsForResourceCommand,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { BACKENDS, DEFAULT_CREDS, iot, reset, startServer, type Running } from '../harness.js';
import { assertFails, daysFromNow, failure, makeCa, makeLeaf, type TestCa } from './certificates-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const OTHER = { accessKeyId: 'other', secretAccessKey: 'other-secret' };
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();

async function proof(client: IoTClient, ca: TestCa): Promise<string> {
  const { registrationCode } = await client.send(new GetRegistrationCodeCommand({}));
  return makeLeaf(ca, { subject: `CN=${registrationCode}` });
}

for (const backend of BACKENDS) {
  describe(`CA certificates through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: IoTClient;
    let other: IoTClient;
    before(async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'warden-creds-')), 'credentials.yaml');
      writeFileSync(
        file,
        `credentials:\n  - accessKeyId: test\n    secretAccessKey: test\n    accountId: "000000000000"\n` +
          `  - accessKeyId: ${OTHER.accessKeyId}\n    secretAccessKey: ${OTHER.secretAccessKey}\n    accountId: "111111111111"\n`,
      );
      server = await startServer({ backend, args: ['--credentials', file] });
      client = iot(server.url, DEFAULT_CREDS);
      other = iot(server.url, OTHER);
    });
    after(async () => {
      client?.destroy();
      other?.destroy();
      await server?.cleanup();
    });

    test('GetRegistrationCode: 64 hex characters, stable per account and region until DeleteRegistrationCode', async () => {
      await reset(server.url);
      const a = (await client.send(new GetRegistrationCodeCommand({}))).registrationCode!;
      assert.match(a, /^[0-9a-f]{64}$/);
      assert.equal((await client.send(new GetRegistrationCodeCommand({}))).registrationCode, a);
      const elsewhere = iot(server.url, DEFAULT_CREDS, 'eu-west-1');
      assert.notEqual((await elsewhere.send(new GetRegistrationCodeCommand({}))).registrationCode, a);
      elsewhere.destroy();
      assert.notEqual((await other.send(new GetRegistrationCodeCommand({}))).registrationCode, a);
      await client.send(new DeleteRegistrationCodeCommand({}));
      await assertFails(client.send(new DeleteRegistrationCodeCommand({})), 'ResourceNotFoundException', 404);
      const b = (await client.send(new GetRegistrationCodeCommand({}))).registrationCode!;
      assert.notEqual(b, a);
    });

    test('RegisterCACertificate proves possession: CN must be the registration code, the CA must sign it; SNI_ONLY needs no proof', async () => {
      await reset(server.url);
      const ca = await makeCa();
      const { registrationCode } = await client.send(new GetRegistrationCodeCommand({}));
      const wrongCn = await makeLeaf(ca, { subject: 'CN=not-the-code' });
      await assertFails(client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, verificationCertificate: wrongCn })), 'RegistrationCodeValidationException', 400, /not-the-code/);
      const forged = await makeLeaf(ca, { subject: `CN=${registrationCode}`, signer: (await makeCa()).keys });
      await assertFails(client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, verificationCertificate: forged })), 'CertificateValidationException', 400, /not signed by the CA/);
      await assertFails(client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem })), 'InvalidRequestException', 400, /verificationCertificate is required/);
      const good = await makeLeaf(ca, { subject: `CN=${registrationCode}` });
      await assertFails(
        client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, verificationCertificate: good, certificateMode: 'SNI_ONLY' })),
        'InvalidRequestException',
        400,
        /must be empty/,
      );
      const notCa = await makeCa(undefined, { ca: false });
      await assertFails(
        client.send(new RegisterCACertificateCommand({ caCertificate: notCa.pem, verificationCertificate: await makeLeaf(notCa, { subject: `CN=${registrationCode}` }) })),
        'CertificateValidationException',
        400,
        /not a CA certificate/,
      );
      await assertFails(client.send(new RegisterCACertificateCommand({ caCertificate: 'garbage', certificateMode: 'SNI_ONLY' })), 'CertificateValidationException', 400, /caCertificate is not a PEM/);

      const r = await client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, verificationCertificate: good, setAsActive: true, tags: [{ Key: 'team', Value: 'fleet' }] }));
      assert.equal(r.certificateId, fingerprint(ca.pem));
      assert.equal(r.certificateArn, `arn:aws:iot:us-east-1:000000000000:cacert/${r.certificateId}`);
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ resourceArn: r.certificateArn }))).tags, [{ Key: 'team', Value: 'fleet' }]);
      const dup = await failure(client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, certificateMode: 'SNI_ONLY' })));
      assert.equal(dup.name, 'ResourceAlreadyExistsException');
      assert.equal(dup.resourceId, r.certificateId);

      // A verification certificate made for a code that was deleted no longer proves anything.
      const ca2 = await makeCa();
      const stale = await proof(client, ca2);
      await client.send(new DeleteRegistrationCodeCommand({}));
      await client.send(new GetRegistrationCodeCommand({}));
      await assertFails(client.send(new RegisterCACertificateCommand({ caCertificate: ca2.pem, verificationCertificate: stale })), 'RegistrationCodeValidationException', 400);

      const sni = await makeCa();
      const s = await client.send(new RegisterCACertificateCommand({ caCertificate: sni.pem, certificateMode: 'SNI_ONLY' }));
      const d = (await client.send(new DescribeCACertificateCommand({ certificateId: s.certificateId }))).certificateDescription!;
      assert.equal(d.certificateMode, 'SNI_ONLY');
      assert.equal(d.status, 'INACTIVE');
    });

    test('a CA is registered in DEFAULT mode by one account per region; SNI_ONLY by many; 10 per subject', async () => {
      await reset(server.url);
      const ca = await makeCa();
      await client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, verificationCertificate: await proof(client, ca) }));
      await assertFails(other.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, verificationCertificate: await proof(other, ca) })), 'ResourceAlreadyExistsException', 409, /another account/);
      const shared = await other.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, certificateMode: 'SNI_ONLY' }));
      assert.equal(shared.certificateId, fingerprint(ca.pem));

      const subject = 'CN=Crowded CA, O=Warden Tests';
      for (let i = 0; i < 10; i++) await client.send(new RegisterCACertificateCommand({ caCertificate: (await makeCa(subject)).pem, certificateMode: 'SNI_ONLY' }));
      await assertFails(client.send(new RegisterCACertificateCommand({ caCertificate: (await makeCa(subject)).pem, certificateMode: 'SNI_ONLY' })), 'LimitExceededException', 410, /10 CA certificates/);
    });

    test('Describe, List, Update: registration config, auto-registration, generations, creation order and template filter', async () => {
      await reset(server.url);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const ca = await makeCa();
        const config = i === 1 ? { templateName: 'jitp', roleArn: 'arn:aws:iam::000000000000:role/jitp' } : undefined;
        ids.push((await client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, certificateMode: 'SNI_ONLY', allowAutoRegistration: i === 1, registrationConfig: config }))).certificateId!);
      }
      const d = await client.send(new DescribeCACertificateCommand({ certificateId: ids[1] }));
      assert.deepEqual(d.registrationConfig, { templateName: 'jitp', roleArn: 'arn:aws:iam::000000000000:role/jitp' });
      const desc = d.certificateDescription!;
      assert.equal(desc.autoRegistrationStatus, 'ENABLE');
      assert.equal(desc.ownedBy, '000000000000');
      assert.equal(desc.customerVersion, 1);
      assert.match(desc.generationId!, UUID);
      assert.ok(desc.validity!.notAfter! > new Date());

      const pages: string[] = [];
      let marker: string | undefined;
      do {
        const page = await client.send(new ListCACertificatesCommand({ pageSize: 2, marker, ascendingOrder: true }));
        pages.push(...page.certificates!.map((c) => c.certificateId!));
        marker = page.nextMarker;
      } while (marker);
      assert.deepEqual(pages, ids);
      assert.deepEqual((await client.send(new ListCACertificatesCommand({}))).certificates!.map((c) => c.certificateId), [...ids].reverse());
      assert.deepEqual((await client.send(new ListCACertificatesCommand({ templateName: 'jitp' }))).certificates!.map((c) => c.certificateId), [ids[1]]);

      await client.send(new UpdateCACertificateCommand({ certificateId: ids[0], newStatus: 'ACTIVE', newAutoRegistrationStatus: 'ENABLE', registrationConfig: { templateName: 'other' } }));
      const u = await client.send(new DescribeCACertificateCommand({ certificateId: ids[0] }));
      assert.equal(u.certificateDescription!.status, 'ACTIVE');
      assert.equal(u.certificateDescription!.autoRegistrationStatus, 'ENABLE');
      assert.equal(u.certificateDescription!.customerVersion, 2);
      assert.deepEqual(u.registrationConfig, { templateName: 'other' });
      await client.send(new UpdateCACertificateCommand({ certificateId: ids[0], newStatus: 'ACTIVE' }));
      assert.equal((await client.send(new DescribeCACertificateCommand({ certificateId: ids[0] }))).certificateDescription!.customerVersion, 2, 'no change, no new version');
      await client.send(new UpdateCACertificateCommand({ certificateId: ids[1], removeAutoRegistration: true }));
      const removed = await client.send(new DescribeCACertificateCommand({ certificateId: ids[1] }));
      assert.equal(removed.registrationConfig, undefined);
      assert.equal(removed.certificateDescription!.autoRegistrationStatus, 'DISABLE');
      await assertFails(
        client.send(new UpdateCACertificateCommand({ certificateId: ids[1], removeAutoRegistration: true, registrationConfig: { templateName: 'x' } })),
        'InvalidRequestException',
        400,
      );
      await assertFails(client.send(new UpdateCACertificateCommand({ certificateId: 'c'.repeat(64), newStatus: 'INACTIVE' })), 'ResourceNotFoundException', 404);
      await assertFails(client.send(new DescribeCACertificateCommand({ certificateId: 'c'.repeat(64) })), 'ResourceNotFoundException', 404);
    });

    test('device certificates take their CA mode; same subject and key twice is a CertificateConflictException; Delete needs INACTIVE and no devices', async () => {
      await reset(server.url);
      const ca = await makeCa();
      const caId = (await client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, certificateMode: 'SNI_ONLY', setAsActive: true }))).certificateId!;
      const device = await client.send(new RegisterCertificateCommand({ certificatePem: await makeLeaf(ca), setAsActive: true }));
      const dd = (await client.send(new DescribeCertificateCommand({ certificateId: device.certificateId }))).certificateDescription!;
      assert.equal(dd.certificateMode, 'SNI_ONLY');
      assert.equal(dd.status, 'ACTIVE');
      assert.deepEqual((await client.send(new ListCertificatesByCACommand({ caCertificateId: caId }))).certificates!.map((c) => c.certificateId), [device.certificateId]);

      // The same subject and key in a second certificate (another serial): the issuer is ambiguous.
      const twin = await makeCa(ca.name, { keys: ca.keys });
      assert.notEqual(fingerprint(twin.pem), caId);
      await client.send(new RegisterCACertificateCommand({ caCertificate: twin.pem, certificateMode: 'SNI_ONLY', setAsActive: true }));
      const leaf = await makeLeaf(ca);
      await assertFails(client.send(new RegisterCertificateCommand({ certificatePem: leaf })), 'CertificateConflictException', 409, /caCertificatePem/);
      const chosen = await client.send(new RegisterCertificateCommand({ certificatePem: leaf, caCertificatePem: twin.pem }));
      assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: chosen.certificateId }))).certificateDescription!.caCertificateId, fingerprint(twin.pem));

      await assertFails(client.send(new DeleteCACertificateCommand({ certificateId: caId })), 'CertificateStateException', 406, /ACTIVE/);
      await client.send(new UpdateCACertificateCommand({ certificateId: caId, newStatus: 'INACTIVE' }));
      await assertFails(client.send(new DeleteCACertificateCommand({ certificateId: caId })), 'CertificateStateException', 406, /device certificate/);
      await client.send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'INACTIVE' }));
      await client.send(new DeleteCertificateCommand({ certificateId: device.certificateId }));
      await client.send(new DeleteCACertificateCommand({ certificateId: caId }));
      await assertFails(client.send(new DescribeCACertificateCommand({ certificateId: caId })), 'ResourceNotFoundException', 404);
      await assertFails(client.send(new DeleteCACertificateCommand({ certificateId: caId })), 'ResourceNotFoundException', 404);

      const expired = await makeCa(undefined, { notBefore: daysFromNow(-20), notAfter: daysFromNow(-10) });
      await assertFails(client.send(new RegisterCACertificateCommand({ caCertificate: expired.pem, certificateMode: 'SNI_ONLY' })), 'CertificateValidationException', 400, /caCertificate expired/);
    });
  });
}
