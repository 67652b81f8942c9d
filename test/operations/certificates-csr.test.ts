// CreateCertificateFromCsr through @aws-sdk/client-iot on both backends: CSRs made here with real RSA
// 2048, P-256 and P-384 keys (and with openssl where it is installed), certificates checked against the
// account's Warden CA as the store holds it (an in-process server, so the test can read it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateCertificateFromCsrCommand, DescribeCertificateCommand, ListCertificatesCommand, type IoTClient } from '@aws-sdk/client-iot';
import { BACKENDS, iot } from '../harness.js';
import { inProcess, type InProcess } from '../audit/audit-config-helpers.js';
import { systemClock } from '../../src/base/clock.js';
import { assertFails } from './certificates-helpers.js';
import { KEYS, makeCsr, RSA, tamper } from './csr-helpers.js';

const ACCOUNT = '000000000000';

const spkiPem = (k: KeyObject): string => k.export({ type: 'spki', format: 'pem' }).toString();
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();

/** A CSR made by openssl for a key of `genpkey` arguments (`-algorithm ...`). */
function opensslCsr(dir: string, name: string, genpkey: string[]): string {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  for (const args of [['genpkey', ...genpkey, '-out', key], ['req', '-new', '-key', key, '-subj', `/CN=${name}/O=OpenSSL`, '-out', csr]]) {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
  }
  return readFileSync(csr, 'utf8');
}

for (const backend of BACKENDS) {
  describe(`CreateCertificateFromCsr (${backend})`, () => {
    let w: InProcess<typeof systemClock>;
    let client: IoTClient;
    let ca: X509Certificate;
    let dir: string;
    before(async () => {
      w = await inProcess(backend, systemClock, { dirPrefix: 'warden-csr-' });
      client = iot(w.url);
      dir = mkdtempSync(join(tmpdir(), 'warden-csr-keys-'));
    });
    after(async () => {
      client?.destroy();
      await w?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** The account's Warden CA as stored (it exists once a certificate has been issued). */
    const wardenCa = async (): Promise<X509Certificate> => (ca ??= new X509Certificate((await w.server.store.repos.wardenCas.get(ACCOUNT))!.certPem));

    for (const kind of Object.keys(KEYS) as (keyof typeof KEYS)[]) {
      test(`${kind}: a certificate for the CSR's key and subject, signed by the Warden CA`, async () => {
        const csr = await makeCsr(`CN=sensor ${kind}, O=Acme Devices, C=DE`, kind);
        const r = await client.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr.pem, setAsActive: true }));
        const cert = new X509Certificate(r.certificatePem!);
        assert.equal(r.certificateId, fingerprint(r.certificatePem!));
        assert.equal(r.certificateArn, `arn:aws:iot:us-east-1:${ACCOUNT}:cert/${r.certificateId}`);
        assert.equal(spkiPem(cert.publicKey), spkiPem(csr.spki), 'the certificate carries the CSR public key');
        assert.equal(cert.subject, `CN=sensor ${kind}\nO=Acme Devices\nC=DE`);
        const issuer = await wardenCa();
        assert.ok(cert.checkIssued(issuer) && cert.verify(issuer.publicKey), 'signed by the account Warden CA');
        assert.equal(cert.issuer, `CN=Warden IoT CA ${ACCOUNT}\nO=Warden`);
        assert.equal(cert.ca, false);
        assert.equal(new Date(cert.validTo).toISOString(), '2049-12-31T23:59:59.000Z');

        const d = (await client.send(new DescribeCertificateCommand({ certificateId: r.certificateId }))).certificateDescription!;
        assert.equal(d.status, 'ACTIVE');
        assert.equal(d.certificateMode, 'DEFAULT');
        assert.equal(d.ownedBy, ACCOUNT);
        assert.equal(d.certificatePem, r.certificatePem);
        assert.equal(d.caCertificateId, undefined);
        assert.deepEqual(d.transferData, {}, 'a certificate never transferred has empty transferData, as AWS shows');
      });
    }

    test('setAsActive absent: INACTIVE; the same CSR twice gives two distinct certificates', async () => {
      const csr = await makeCsr('CN=twice', 'EC P-256');
      const a = await client.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr.pem }));
      const b = await client.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr.pem, setAsActive: false }));
      assert.notEqual(a.certificateId, b.certificateId);
      assert.notEqual(new X509Certificate(a.certificatePem!).serialNumber, new X509Certificate(b.certificatePem!).serialNumber);
      for (const r of [a, b]) {
        assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: r.certificateId }))).certificateDescription!.status, 'INACTIVE');
      }
      const listed = (await client.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates!.map((c) => c.certificateId);
      assert.ok(listed.includes(a.certificateId) && listed.includes(b.certificateId));
    });

    test('a tampered, malformed or foreign CSR is InvalidRequestException naming certificateSigningRequest, and nothing is stored', async () => {
      const before = (await client.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates!.length;
      const send = (pem: string) => client.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: pem, setAsActive: true }));

      // One character of the subject changed after signing: still a CSR, but the signature no longer verifies.
      const good = await makeCsr('CN=device-aaaa', 'EC P-256');
      const tampered = tamper(good.pem, 'device-aaaa', 'device-bbbb');
      await assertFails(send(tampered), 'InvalidRequestException', 400, /^certificateSigningRequest has a signature that does not verify/);

      await assertFails(send('hello, I am not a CSR'), 'InvalidRequestException', 400, /^certificateSigningRequest is not a PEM certificate signing request/);
      await assertFails(send('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'), 'InvalidRequestException', 400, /^certificateSigningRequest could not be parsed/);
      const small = await makeCsr('CN=small', { gen: { ...RSA, modulusLength: 1024 }, sign: RSA });
      await assertFails(send(small.pem), 'InvalidRequestException', 400, /^certificateSigningRequest has a 1024-bit RSA key/);
      // A certificate is not a CSR.
      const issued = await send(good.pem);
      await assertFails(send(issued.certificatePem!), 'InvalidRequestException', 400, /^certificateSigningRequest is not a PEM certificate signing request/);
      assert.equal((await client.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates!.length, before + 1, 'only the good CSR made a certificate');
    });

    test('CSRs made by openssl: RSA 3072 and P-384 are accepted; secp256k1 and Ed25519 keys are refused', async () => {
      for (const [name, args] of [
        ['ossl-rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072']],
        ['ossl-p384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']],
      ] as const) {
        const r = await client.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: opensslCsr(dir, name, [...args]) }));
        const cert = new X509Certificate(r.certificatePem!);
        assert.equal(cert.subject, `CN=${name}\nO=OpenSSL`);
        assert.ok(cert.verify((await wardenCa()).publicKey));
      }
      const k1 = opensslCsr(dir, 'ossl-k1', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1']);
      await assertFails(client.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: k1 })), 'InvalidRequestException', 400, /has an EC key on secp256k1; AWS IoT accepts/);
      const ed = opensslCsr(dir, 'ossl-ed', ['-algorithm', 'ED25519']);
      await assertFails(client.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: ed })), 'InvalidRequestException', 400, /has an ed25519 key; AWS IoT accepts/);
    });
  });
}
