// Device certificates through @aws-sdk/client-iot on both backends: real X.509 issued and verified.
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  AttachThingPrincipalCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  GetRegistrationCodeCommand,
  ListCertificatesByCACommand,
  ListCertificatesCommand,
  ListTargetsForPolicyCommand,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
  DetachThingPrincipalCommand,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running } from '../harness.js';
import { assertFails, daysFromNow, failure, makeCa, makeLeaf, makeSelfSigned, type TestCa } from './certificates-helpers.js';
import { exactly } from './messages-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
const POLICY_DOC = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] });

for (const backend of BACKENDS) {
  describe(`certificates through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    /** Registers `ca` in DEFAULT mode with a real proof of possession; returns its id. */
    async function registerCa(ca: TestCa, setAsActive = true): Promise<string> {
      const { registrationCode } = await client.send(new GetRegistrationCodeCommand({}));
      const verificationCertificate = await makeLeaf(ca, { subject: `CN=${registrationCode}` });
      const r = await client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, verificationCertificate, setAsActive }));
      return r.certificateId!;
    }

    test('CreateKeysAndCertificate: a real key pair and a certificate signed by the Warden CA; id is the SHA-256 of the DER', async () => {
      await reset(server.url);
      const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      const cert = new X509Certificate(r.certificatePem!);
      assert.equal(r.certificateId, cert.fingerprint256.replace(/:/g, '').toLowerCase());
      assert.match(r.certificateId!, /^[0-9a-f]{64}$/);
      assert.equal(r.certificateArn, `arn:aws:iot:us-east-1:000000000000:cert/${r.certificateId}`);
      // The certificate holds the returned public key, and the private key belongs to it.
      assert.equal(cert.publicKey.export({ type: 'spki', format: 'pem' }), createPublicKey(r.keyPair!.PublicKey!).export({ type: 'spki', format: 'pem' }));
      assert.match(r.keyPair!.PrivateKey!, /^-----BEGIN RSA PRIVATE KEY-----/);
      const signature = sign('sha256', Buffer.from('hello'), createPrivateKey(r.keyPair!.PrivateKey!));
      assert.ok(verify('sha256', Buffer.from('hello'), cert.publicKey, signature));
      assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
      // Signed by the account's Warden CA (its signature is checked in certificates-restart.test.ts,
      // which reads the stored CA once the server has stopped).
      assert.equal(cert.issuer, 'CN=Warden IoT CA 000000000000\nO=Warden');
      assert.equal(cert.ca, false);

      const d = (await client.send(new DescribeCertificateCommand({ certificateId: r.certificateId }))).certificateDescription!;
      assert.equal(d.status, 'ACTIVE');
      assert.equal(d.certificateMode, 'DEFAULT');
      assert.equal(d.ownedBy, '000000000000');
      assert.equal(d.certificatePem, r.certificatePem);
      assert.equal(d.validity!.notBefore!.getTime(), new Date(cert.validFrom).getTime());
      assert.equal(d.validity!.notAfter!.toISOString(), '2049-12-31T23:59:59.000Z');
      assert.equal(d.customerVersion, 1);
      assert.match(d.generationId!, UUID);
      const inactive = await client.send(new CreateKeysAndCertificateCommand({}));
      assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: inactive.certificateId }))).certificateDescription!.status, 'INACTIVE');
    });

    test('RegisterCertificate verifies the chain: signed by a registered CA succeeds, a forged signature or an unknown CA fails', async () => {
      await reset(server.url);
      const ca = await makeCa();
      const caId = await registerCa(ca);
      const good = await makeLeaf(ca);
      const r = await client.send(new RegisterCertificateCommand({ certificatePem: good, status: 'ACTIVE' }));
      assert.equal(r.certificateId, fingerprint(good));
      const d = (await client.send(new DescribeCertificateCommand({ certificateId: r.certificateId }))).certificateDescription!;
      assert.equal(d.caCertificateId, caId);
      assert.equal(d.status, 'ACTIVE');
      assert.equal(d.certificateMode, 'DEFAULT');
      assert.equal(d.validity!.notAfter!.getTime(), new Date(new X509Certificate(good).validTo).getTime());

      // Same issuer name, but signed by another key.
      const impostor = await makeCa(ca.name);
      await assertFails(client.send(new RegisterCertificateCommand({ certificatePem: await makeLeaf(ca, { signer: impostor.keys }) })), 'CertificateValidationException', 400, /signature/);
      await assertFails(
        client.send(new RegisterCertificateCommand({ certificatePem: await makeLeaf(ca, { signer: impostor.keys }), caCertificatePem: ca.pem })),
        'CertificateValidationException',
        400,
        /not signed by the CA/,
      );
      // Issued by a CA that is not registered.
      const stranger = await makeCa();
      await assertFails(client.send(new RegisterCertificateCommand({ certificatePem: await makeLeaf(stranger) })), 'CertificateValidationException', 400, /No CA certificate/);
      await assertFails(
        client.send(new RegisterCertificateCommand({ certificatePem: await makeLeaf(stranger), caCertificatePem: stranger.pem })),
        'CertificateValidationException',
        400,
        /not registered/,
      );
      // Already registered, expired, not yet valid, malformed.
      const dup = await failure(client.send(new RegisterCertificateCommand({ certificatePem: good })));
      assert.equal(dup.name, 'ResourceAlreadyExistsException');
      assert.equal(dup.$metadata.httpStatusCode, 409);
      assert.equal(dup.message, 'The certificate is already provisioned or registered');
      assert.equal(dup.resourceId, r.certificateId);
      assert.equal(dup.resourceArn, r.certificateArn);
      await assertFails(client.send(new RegisterCertificateCommand({ certificatePem: await makeLeaf(ca, { notBefore: daysFromNow(-10), notAfter: daysFromNow(-1) }) })), 'CertificateValidationException', 400, /expired/);
      await assertFails(client.send(new RegisterCertificateCommand({ certificatePem: await makeLeaf(ca, { notBefore: daysFromNow(1), notAfter: daysFromNow(10) }) })), 'CertificateValidationException', 400, /not valid before/);
      await assertFails(client.send(new RegisterCertificateCommand({ certificatePem: 'not a certificate' })), 'CertificateValidationException', 400, /certificatePem is not a PEM/);
      await assertFails(
        client.send(new RegisterCertificateCommand({ certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' })),
        'CertificateValidationException',
        400,
        /could not be parsed/,
      );
      // The issuing CA must be ACTIVE.
      await client.send(new UpdateCACertificateCommand({ certificateId: caId, newStatus: 'INACTIVE' }));
      await assertFails(client.send(new RegisterCertificateCommand({ certificatePem: await makeLeaf(ca) })), 'CertificateValidationException', 400, /INACTIVE; it must be ACTIVE/);
    });

    test('RegisterCertificateWithoutCA: SNI_ONLY, the requested status, id from the DER', async () => {
      await reset(server.url);
      const pem = await makeSelfSigned();
      const r = await client.send(new RegisterCertificateWithoutCACommand({ certificatePem: pem, status: 'ACTIVE' }));
      assert.equal(r.certificateId, fingerprint(pem));
      const d = (await client.send(new DescribeCertificateCommand({ certificateId: r.certificateId }))).certificateDescription!;
      assert.equal(d.certificateMode, 'SNI_ONLY');
      assert.equal(d.status, 'ACTIVE');
      assert.equal(d.caCertificateId, undefined);
      await assertFails(client.send(new RegisterCertificateWithoutCACommand({ certificatePem: pem })), 'ResourceAlreadyExistsException', 409);
      await assertFails(client.send(new RegisterCertificateWithoutCACommand({ certificatePem: await makeSelfSigned(), status: 'PENDING_TRANSFER' })), 'InvalidRequestException', 400, /PENDING_TRANSFER/);
      const other = await client.send(new RegisterCertificateWithoutCACommand({ certificatePem: await makeSelfSigned() }));
      assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: other.certificateId }))).certificateDescription!.status, 'INACTIVE');
    });

    test('UpdateCertificate: REVOKED is final, PENDING_* cannot be set, the same status is idempotent, each change is a new generation', async () => {
      await reset(server.url);
      const { certificateId } = await client.send(new RegisterCertificateWithoutCACommand({ certificatePem: await makeSelfSigned(), status: 'ACTIVE' }));
      const describe = async () => (await client.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription!;
      const d1 = await describe();
      await client.send(new UpdateCertificateCommand({ certificateId, newStatus: 'ACTIVE' }));
      const same = await describe();
      assert.equal(same.generationId, d1.generationId);
      assert.equal(same.customerVersion, 1);
      await client.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }));
      const d2 = await describe();
      assert.equal(d2.status, 'INACTIVE');
      assert.equal(d2.customerVersion, 2);
      assert.match(d2.generationId!, UUID);
      assert.notEqual(d2.generationId, d1.generationId);
      assert.ok(d2.lastModifiedDate!.getTime() >= d1.lastModifiedDate!.getTime());
      for (const s of ['PENDING_TRANSFER', 'PENDING_ACTIVATION'] as const) {
        await assertFails(client.send(new UpdateCertificateCommand({ certificateId, newStatus: s })), 'InvalidRequestException', 400, new RegExp(s));
      }
      await client.send(new UpdateCertificateCommand({ certificateId, newStatus: 'REVOKED' }));
      await client.send(new UpdateCertificateCommand({ certificateId, newStatus: 'REVOKED' }));
      for (const s of ['ACTIVE', 'INACTIVE'] as const) {
        await assertFails(client.send(new UpdateCertificateCommand({ certificateId, newStatus: s })), 'CertificateStateException', 406, /REVOKED/);
      }
      assert.equal((await describe()).status, 'REVOKED');
      await assertFails(client.send(new UpdateCertificateCommand({ certificateId: 'a'.repeat(64), newStatus: 'INACTIVE' })), 'ResourceNotFoundException', 404);
    });

    test('DeleteCertificate: ACTIVE refused, attached thing refused even when forced, attached policy refused unless forceDelete, which detaches it', async () => {
      await reset(server.url);
      const { certificateId, certificateArn } = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await assertFails(client.send(new DeleteCertificateCommand({ certificateId })), 'CertificateStateException', 406, exactly(`Certificate must be deactivated (not ACTIVE) before deletion. Id: ${certificateId}`));
      await client.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }));

      await client.send(new CreateThingCommand({ thingName: 'sensor-1' }));
      await client.send(new AttachThingPrincipalCommand({ thingName: 'sensor-1', principal: certificateArn }));
      const thingsAttached = exactly(`Things must be detached before deletion (arn: ${certificateArn})`);
      await assertFails(client.send(new DeleteCertificateCommand({ certificateId })), 'DeleteConflictException', 409, thingsAttached);
      await assertFails(client.send(new DeleteCertificateCommand({ certificateId, forceDelete: true })), 'DeleteConflictException', 409, thingsAttached);
      await client.send(new DetachThingPrincipalCommand({ thingName: 'sensor-1', principal: certificateArn }));

      await client.send(new CreatePolicyCommand({ policyName: 'connect', policyDocument: POLICY_DOC }));
      await client.send(new AttachPolicyCommand({ policyName: 'connect', target: certificateArn }));
      await assertFails(client.send(new DeleteCertificateCommand({ certificateId })), 'DeleteConflictException', 409, exactly(`Certificate policies must be detached before deletion (arn: ${certificateArn})`));
      assert.deepEqual((await client.send(new ListTargetsForPolicyCommand({ policyName: 'connect' }))).targets, [certificateArn]);
      await client.send(new DeleteCertificateCommand({ certificateId, forceDelete: true }));
      assert.deepEqual((await client.send(new ListTargetsForPolicyCommand({ policyName: 'connect' }))).targets, []);
      await assertFails(client.send(new DescribeCertificateCommand({ certificateId })), 'ResourceNotFoundException', 404, new RegExp(certificateId!));
      await assertFails(client.send(new DeleteCertificateCommand({ certificateId })), 'ResourceNotFoundException', 404);
    });

    test('ListCertificates and ListCertificatesByCA: creation order both ways, stable markers, bad marker refused', async () => {
      await reset(server.url);
      const ca = await makeCa();
      const caId = await registerCa(ca);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const pem = i % 2 === 0 ? await makeLeaf(ca) : await makeSelfSigned();
        const cmd = i % 2 === 0 ? new RegisterCertificateCommand({ certificatePem: pem }) : new RegisterCertificateWithoutCACommand({ certificatePem: pem });
        ids.push((await client.send(cmd as RegisterCertificateCommand)).certificateId!);
      }
      const all = async (ascendingOrder: boolean, caCertificateId?: string) => {
        const seen: string[] = [];
        let marker: string | undefined;
        do {
          const page = caCertificateId
            ? await client.send(new ListCertificatesByCACommand({ caCertificateId, pageSize: 2, marker, ascendingOrder }))
            : await client.send(new ListCertificatesCommand({ pageSize: 2, marker, ascendingOrder }));
          assert.ok(page.certificates!.length <= 2);
          seen.push(...page.certificates!.map((c) => c.certificateId!));
          if (page.nextMarker) assert.match(page.nextMarker, /^[A-Za-z0-9+/]+={0,2}$/);
          marker = page.nextMarker;
        } while (marker);
        return seen;
      };
      assert.deepEqual(await all(true), ids);
      assert.deepEqual(await all(false), [...ids].reverse());
      assert.deepEqual(await all(true, caId), [ids[0], ids[2], ids[4]]);
      const first = (await client.send(new ListCertificatesCommand({ ascendingOrder: true }))).certificates!;
      assert.equal(first.length, 5);
      assert.equal(first[1].certificateMode, 'SNI_ONLY');
      assert.equal(first[0].status, 'INACTIVE');
      assert.ok(first[0].creationDate instanceof Date);
      assert.deepEqual((await client.send(new ListCertificatesByCACommand({ caCertificateId: 'b'.repeat(64) }))).certificates, []);
      await assertFails(client.send(new ListCertificatesCommand({ marker: 'bm9wZQ==' })), 'InvalidRequestException', 400, /marker/);
      const asc = await client.send(new ListCertificatesCommand({ pageSize: 2, ascendingOrder: true }));
      await assertFails(client.send(new ListCertificatesCommand({ marker: asc.nextMarker, ascendingOrder: false })), 'InvalidRequestException', 400, /marker/);
    });
  });
}
