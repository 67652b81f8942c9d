// The certificate audit checks (DEVICE_CERTIFICATE_EXPIRING_CHECK, CA_CERTIFICATE_EXPIRING_CHECK,
// DEVICE_CERTIFICATE_AGE_CHECK, DEVICE_CERTIFICATE_KEY_QUALITY_CHECK, CA_CERTIFICATE_KEY_QUALITY_CHECK)
// against a real store (both backends) filled through the real API: real certificates with chosen
// dates and keys, registered with @aws-sdk/client-iot on an in-process server. Registration refuses
// expired certificates and RSA keys under 2048 bits, so "past expiration" is an audit whose `now`
// is after notAfter, and short keys go in through the store's own insert (the columns registration
// writes). Each scenario uses its own region.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, test } from 'node:test';
import {
  CreateKeysAndCertificateCommand,
  RegisterCACertificateCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import type { AuditCheck, CheckContext, CheckFinding } from '../../src/audit/check.js';
import { caCertificateExpiring } from '../../src/audit/checks/ca-certificate-expiring.js';
import { caCertificateKeyQuality } from '../../src/audit/checks/ca-certificate-key-quality.js';
import { deviceCertificateAge } from '../../src/audit/checks/device-certificate-age.js';
import { deviceCertificateExpiring } from '../../src/audit/checks/device-certificate-expiring.js';
import { deviceCertificateKeyQuality } from '../../src/audit/checks/device-certificate-key-quality.js';
import { KEY_VULNERABILITY_ROCA, KEY_WEAK_RSA_MODULUS } from '../../src/registry/key-quality.js';
import { certificateArn } from '../../src/registry/certificates.js';
import { certificateFacts } from '../../src/registry/cert-facts.js';
import { parseCertificate } from '../../src/registry/x509.js';
import { insertTuples } from '../../src/store/sql.js';
import { BACKENDS } from '../harness.js';
import { failure, makeCa, makeSelfSigned, storeCaCertificate, type TestCa } from '../operations/certificates-helpers.js';
import { assertRegistered, ok, useCheckServer } from './check-harness.js';
import { certFor, freshRsaKey, rocaModulus, webRsaPublicKey } from './roca-helpers.js';

const ACCOUNT = '000000000000';
const DAY = 24 * 3600_000;

/** Finding summaries, sorted: "<id>:<reason code>". */
const summary = (fs: CheckFinding[]): string[] =>
  fs.map((f) => `${f.resourceIdentifier.deviceCertificateId ?? f.resourceIdentifier.caCertificateId}:${f.reasonForNonComplianceCode}`).sort();
const expect = (pairs: [string, string][]): string[] => pairs.map(([id, code]) => `${id}:${code}`).sort();

const notAfterOf = (pem: string): number => new Date(new X509Certificate(pem).validTo).getTime();
const notBeforeOf = (pem: string): number => new Date(new X509Certificate(pem).validFrom).getTime();

// One ROCA-structured 2048-bit modulus for the whole file (a second or so to build).
const ROCA_N = rocaModulus(2048);

test('the five checks are registered with their severities', () =>
  assertRegistered(
    [deviceCertificateExpiring, 'DEVICE_CERTIFICATE_EXPIRING_CHECK:MEDIUM'],
    [caCertificateExpiring, 'CA_CERTIFICATE_EXPIRING_CHECK:MEDIUM'],
    [deviceCertificateAge, 'DEVICE_CERTIFICATE_AGE_CHECK:LOW'],
    [deviceCertificateKeyQuality, 'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK:CRITICAL'],
    [caCertificateKeyQuality, 'CA_CERTIFICATE_KEY_QUALITY_CHECK:CRITICAL'],
  ));

for (const backend of BACKENDS) {
  describe(`certificate audit checks (${backend})`, () => {
    const w = useCheckServer(backend, 'certs');
    const { clock, client } = w;
    const T = clock.now().getTime();
    /** An audit of `region` that starts at `now` (the server's clock stays put: SigV4 would refuse requests far from it). */
    const ctx = (region: string, now: number, configuration: Record<string, string> = {}): CheckContext =>
      w.checkContext(region, { now: new Date(now), configuration });
    const run = async (check: AuditCheck, region: string, now: number, configuration: Record<string, string> = {}) =>
      ok(await check.run(ctx(region, now, configuration)));

    const registerDevice = async (region: string, pem: string, status = 'ACTIVE'): Promise<string> =>
      (await client(region).send(new RegisterCertificateWithoutCACommand({ certificatePem: pem, status: status as 'ACTIVE' }))).certificateId!;
    const registerCa = async (region: string, pem: string, active = true): Promise<string> =>
      (await client(region).send(new RegisterCACertificateCommand({ caCertificate: pem, certificateMode: 'SNI_ONLY', setAsActive: active }))).certificateId!;
    const deviceAt = (o: { notBefore?: number; notAfter?: number }) =>
      makeSelfSigned({ notBefore: new Date(o.notBefore ?? T - DAY), notAfter: new Date(o.notAfter ?? T + 365 * DAY) });

    /** Stores a certificate the way registration does, bypassing its checks (for keys registration refuses). */
    const storeDevice = async (region: string, pem: string, status: string): Promise<string> => {
      const p = parseCertificate(pem, 'pem');
      const scope = { accountId: ACCOUNT, region };
      const inserted = await w.server.store.repos.certificates.insertIfAbsent(scope, {
        certificateId: p.id,
        arn: certificateArn(scope, p.id),
        status,
        pem: p.pem,
        certificateMode: 'SNI_ONLY',
        ownedBy: ACCOUNT,
        generationId: 'g1',
        customerVersion: 1,
        notBefore: p.notBefore,
        notAfter: p.notAfter,
        createdAt: new Date(T),
        modifiedAt: new Date(T),
      }, certificateFacts(p.cert));
      assert.ok(inserted);
      return p.id;
    };
    const storeCa = (region: string, pem: string, status: string): Promise<string> =>
      storeCaCertificate(w.server.store.repos, { accountId: ACCOUNT, region }, pem, { status, at: new Date(T) });
    const row = (table: string, region: string, id: string) =>
      w.server.store.db.get<{ serial_number: string; issuer: string | null; key_quality: string | null; crl_urls: string | null }>(
        `SELECT serial_number, issuer, key_quality, crl_urls FROM ${table} WHERE account_id = ? AND region = ? AND certificate_id = ?`,
        [ACCOUNT, region, id],
      );

    let issuer: TestCa;
    before(async () => {
      issuer = await makeCa();
    });

    test('every check passes on a healthy registry and counts the ACTIVE certificates only', async () => {
      const region = 'eu-west-1';
      await registerDevice(region, await deviceAt({ notAfter: T + 365 * DAY }));
      await registerDevice(region, await deviceAt({ notAfter: T + 200 * DAY }));
      await registerDevice(region, await certFor(issuer, await freshRsaKey(2048)));
      // Expiring, old and weak, but not audited: INACTIVE and REVOKED certificates.
      await registerDevice(region, await deviceAt({ notBefore: T - 400 * DAY, notAfter: T + 5 * DAY }), 'INACTIVE');
      const revoked = await registerDevice(region, await deviceAt({ notAfter: T + 5 * DAY }));
      await client(region).send(new UpdateCertificateCommand({ certificateId: revoked, newStatus: 'REVOKED' }));
      await storeDevice(region, await certFor(issuer, await freshRsaKey(1024)), 'INACTIVE');
      await registerCa(region, (await makeCa(undefined, { notAfter: new Date(T + 300 * DAY) })).pem);
      await registerCa(region, (await makeCa(undefined, { notAfter: new Date(T + 5 * DAY) })).pem, false);
      await storeCa(region, await certFor(issuer, await freshRsaKey(1024), { ca: true }), 'INACTIVE');
      for (const [check, total] of [
        [deviceCertificateExpiring, 3],
        [deviceCertificateAge, 3],
        [deviceCertificateKeyQuality, 3],
        [caCertificateExpiring, 1],
        [caCertificateKeyQuality, 1],
      ] as const) {
        const res = await run(check, region, T);
        assert.deepEqual(res.findings, [], check.name);
        assert.equal(res.totalResourcesCount, total, check.name);
      }
    });

    test('more certificates than one page: every one is found once', async () => {
      const region = 'us-east-2';
      const n = 5001;
      const pem = await deviceAt({});
      const columns = ['account_id', 'region', 'certificate_id', 'arn', 'status', 'ca_certificate_id', 'pem', 'certificate_mode', 'owned_by', 'previous_owned_by',
        'transfer_data', 'generation_id', 'customer_version', 'not_before', 'not_after', 'created_at', 'modified_at', 'serial_number', 'issuer', 'key_quality', 'crl_urls'] as const;
      const rows = Array.from({ length: n }, (_, i) => {
        const id = i.toString(16).padStart(64, '0');
        return [ACCOUNT, region, id, `arn:aws:iot:${region}:${ACCOUNT}:cert/${id}`, 'ACTIVE', null, pem, 'SNI_ONLY', ACCOUNT, null, null, 'g', 1,
          T - DAY, T + 5 * DAY, T, T, i.toString(16).toUpperCase(), 'CN=x', i % 1000 === 0 ? KEY_WEAK_RSA_MODULUS : null, null];
      });
      await w.server.store.db.transaction((tx) => insertTuples(tx, 'certificates', columns, rows));
      const expiring = await run(deviceCertificateExpiring, region, T);
      assert.equal(expiring.totalResourcesCount, n);
      assert.equal(new Set(expiring.findings.map((f) => f.resourceIdentifier.deviceCertificateId)).size, n);
      const keys = await run(deviceCertificateKeyQuality, region, T);
      assert.deepEqual(keys.findings.map((f) => parseInt(f.resourceIdentifier.deviceCertificateId!, 16)), [0, 1000, 2000, 3000, 4000, 5000]);
      // A canceled audit stops between pages.
      const abort = new AbortController();
      abort.abort(new Error('canceled'));
      await assert.rejects(deviceCertificateExpiring.run({ ...ctx(region, T), signal: abort.signal }), /canceled/);
    });

    test('device expiring: approaching and past expiration, PENDING_TRANSFER audited, boundaries', async () => {
      const region = 'eu-west-2';
      const pems = { a: await deviceAt({ notAfter: T + 10 * DAY }), b: await deviceAt({ notAfter: T + 40 * DAY }), c: await deviceAt({ notAfter: T + 400 * DAY }) };
      const a = await registerDevice(region, pems.a);
      const b = await registerDevice(region, pems.b);
      const c = await registerDevice(region, pems.c);
      const d = await registerDevice(region, await deviceAt({ notAfter: T + 5 * DAY }));
      await w.server.store.db.run("UPDATE certificates SET status = 'PENDING_TRANSFER' WHERE account_id = ? AND region = ? AND certificate_id = ?", [ACCOUNT, region, d]);

      const later = T + 20 * DAY;
      const res = await run(deviceCertificateExpiring, region, later);
      assert.equal(res.totalResourcesCount, 4);
      assert.deepEqual(
        summary(res.findings),
        expect([
          [a, 'CERTIFICATE_PAST_EXPIRATION'],
          [d, 'CERTIFICATE_PAST_EXPIRATION'],
          [b, 'CERTIFICATE_APPROACHING_EXPIRATION'],
        ]),
      );
      const fa = res.findings.find((f) => f.resourceIdentifier.deviceCertificateId === a)!;
      const fb = res.findings.find((f) => f.resourceIdentifier.deviceCertificateId === b)!;
      assert.equal(fa.resourceType, 'DEVICE_CERTIFICATE');
      assert.deepEqual(fa.resourceIdentifier, { deviceCertificateId: a });
      assert.deepEqual(fa.additionalInfo, { EXPIRATION_TIME: String(notAfterOf(pems.a)) });
      assert.match(fa.reasonForNonCompliance, new RegExp(`expired on ${new Date(notAfterOf(pems.a)).toISOString()}`));
      assert.match(fb.reasonForNonCompliance, new RegExp(`expires on ${new Date(notAfterOf(pems.b)).toISOString()}, within 30 days`));

      // The configured threshold replaces the 30 days.
      assert.deepEqual(summary((await run(deviceCertificateExpiring, region, later, { CERT_EXPIRATION_THRESHOLD_IN_DAYS: '10' })).findings), expect([[a, 'CERTIFICATE_PAST_EXPIRATION'], [d, 'CERTIFICATE_PAST_EXPIRATION']]));
      const wide = await run(deviceCertificateExpiring, region, later, { CERT_EXPIRATION_THRESHOLD_IN_DAYS: '400' });
      assert.deepEqual(summary(wide.findings).filter((s) => s.endsWith('APPROACHING_EXPIRATION')), expect([[b, 'CERTIFICATE_APPROACHING_EXPIRATION'], [c, 'CERTIFICATE_APPROACHING_EXPIRATION']]));
      assert.match(wide.findings.find((f) => f.resourceIdentifier.deviceCertificateId === c)!.reasonForNonCompliance, /within 400 days/);

      // notAfter itself is still valid; a millisecond later it is past. Exactly 30 days ahead is within the threshold.
      const nb = notAfterOf(pems.b);
      const codeOfB = async (now: number) => (await run(deviceCertificateExpiring, region, now)).findings.find((f) => f.resourceIdentifier.deviceCertificateId === b)?.reasonForNonComplianceCode;
      assert.equal(await codeOfB(nb), 'CERTIFICATE_APPROACHING_EXPIRATION');
      assert.equal(await codeOfB(nb + 1), 'CERTIFICATE_PAST_EXPIRATION');
      assert.equal(await codeOfB(nb - 30 * DAY), 'CERTIFICATE_APPROACHING_EXPIRATION');
      assert.equal(await codeOfB(nb - 30 * DAY - 1), undefined);
    });

    test('device expiring: a threshold that is not a number of days fails the check', async () => {
      for (const bad of ['abc', '0', '-5', '1.5']) {
        const r = await deviceCertificateExpiring.run(ctx('eu-west-2', T, { CERT_EXPIRATION_THRESHOLD_IN_DAYS: bad }));
        assert.equal(r.status, 'failed', bad);
        assert.equal(r.status === 'failed' && r.errorCode, 'INVALID_CONFIGURATION');
        assert.match(r.status === 'failed' ? r.message : '', /CERT_EXPIRATION_THRESHOLD_IN_DAYS/);
      }
    });

    test('CA expiring: approaching, then past; the 30 days are fixed; INACTIVE CAs are not audited', async () => {
      const region = 'ap-south-1';
      const soon = (await makeCa(undefined, { notAfter: new Date(T + 10 * DAY) })).pem;
      const s = await registerCa(region, soon);
      const m = await registerCa(region, (await makeCa(undefined, { notAfter: new Date(T + 100 * DAY) })).pem);
      const off = await registerCa(region, (await makeCa(undefined, { notAfter: new Date(T + 10 * DAY) })).pem);
      await client(region).send(new UpdateCACertificateCommand({ certificateId: off, newStatus: 'INACTIVE' }));

      const now = await run(caCertificateExpiring, region, T);
      assert.equal(now.totalResourcesCount, 2);
      assert.deepEqual(summary(now.findings), expect([[s, 'CERTIFICATE_APPROACHING_EXPIRATION']]));
      assert.equal(now.findings[0].resourceType, 'CA_CERTIFICATE');
      assert.deepEqual(now.findings[0].resourceIdentifier, { caCertificateId: s });
      assert.deepEqual(now.findings[0].additionalInfo, { EXPIRATION_TIME: String(notAfterOf(soon)) });
      assert.match(now.findings[0].reasonForNonCompliance, /^CA certificate expires on .*within 30 days/);

      assert.deepEqual(summary((await run(caCertificateExpiring, region, T + 11 * DAY)).findings), expect([[s, 'CERTIFICATE_PAST_EXPIRATION']]));
      assert.deepEqual(
        summary((await run(caCertificateExpiring, region, T + 80 * DAY)).findings),
        expect([[s, 'CERTIFICATE_PAST_EXPIRATION'], [m, 'CERTIFICATE_APPROACHING_EXPIRATION']]),
      );
      // The device check's setting does not apply to CA certificates.
      assert.deepEqual(summary((await run(caCertificateExpiring, region, T, { CERT_EXPIRATION_THRESHOLD_IN_DAYS: '1' })).findings), expect([[s, 'CERTIFICATE_APPROACHING_EXPIRATION']]));
    });

    test('device age: at or over the threshold from notBefore, default 365 days, configurable', async () => {
      const region = 'us-west-1';
      const young = await deviceAt({ notBefore: T - DAY });
      const y = await registerDevice(region, young);
      const o = await registerDevice(region, await deviceAt({ notBefore: T - 100 * DAY }));

      const fresh = await run(deviceCertificateAge, region, T);
      assert.deepEqual(fresh.findings, []);
      assert.equal(fresh.totalResourcesCount, 2);

      const start = notBeforeOf(young);
      const atYear = await run(deviceCertificateAge, region, start + 365 * DAY);
      assert.deepEqual(summary(atYear.findings), expect([[y, 'CERTIFICATE_PAST_AGE_THRESHOLD'], [o, 'CERTIFICATE_PAST_AGE_THRESHOLD']]));
      const fy = atYear.findings.find((f) => f.resourceIdentifier.deviceCertificateId === y)!;
      assert.equal(fy.resourceType, 'DEVICE_CERTIFICATE');
      assert.deepEqual(fy.additionalInfo, { VALIDITY_START_TIME: String(start) });
      assert.match(fy.reasonForNonCompliance, new RegExp(`valid since ${new Date(start).toISOString()} \\(365 days\\), at or past the 365-day`));
      assert.deepEqual(summary((await run(deviceCertificateAge, region, start + 365 * DAY - 1)).findings), expect([[o, 'CERTIFICATE_PAST_AGE_THRESHOLD']]));

      assert.deepEqual(summary((await run(deviceCertificateAge, region, T, { CERT_AGE_THRESHOLD_IN_DAYS: '90' })).findings), expect([[o, 'CERTIFICATE_PAST_AGE_THRESHOLD']]));
      assert.deepEqual((await run(deviceCertificateAge, region, T, { CERT_AGE_THRESHOLD_IN_DAYS: '101' })).findings, []);
      const bad = await deviceCertificateAge.run(ctx(region, T, { CERT_AGE_THRESHOLD_IN_DAYS: 'a year' }));
      assert.equal(bad.status, 'failed');
    });

    test('device key quality: a registered ROCA key and a stored 1024-bit key are found, others are not', async () => {
      const region = 'ca-central-1';
      const rocaPem = await certFor(issuer, await webRsaPublicKey(ROCA_N));
      const roca = await registerDevice(region, rocaPem);
      const weakPem = await certFor(issuer, await freshRsaKey(1024));
      // Registration refuses the short key, which is why it is stored directly here.
      const refused = await failure(client(region).send(new RegisterCertificateWithoutCACommand({ certificatePem: weakPem, status: 'ACTIVE' })));
      assert.equal(refused.name, 'CertificateValidationException');
      const weak = await storeDevice(region, weakPem, 'ACTIVE');
      await registerDevice(region, await deviceAt({}));
      await registerDevice(region, await certFor(issuer, await freshRsaKey(2048)));

      assert.equal((await row('certificates', region, roca))?.key_quality, KEY_VULNERABILITY_ROCA, 'stored at registration');
      const res = await run(deviceCertificateKeyQuality, region, T);
      assert.equal(res.totalResourcesCount, 4);
      assert.deepEqual(summary(res.findings), expect([[roca, 'CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361'], [weak, KEY_WEAK_RSA_MODULUS]]));
      const fr = res.findings.find((f) => f.resourceIdentifier.deviceCertificateId === roca)!;
      assert.equal(fr.resourceType, 'DEVICE_CERTIFICATE');
      assert.match(fr.reasonForNonCompliance, /CVE-2017-15361/);
      assert.match(res.findings.find((f) => f.resourceIdentifier.deviceCertificateId === weak)!.reasonForNonCompliance, /shorter than 2048 bits/);

      // Deactivated, the ROCA certificate is no longer audited.
      await client(region).send(new UpdateCertificateCommand({ certificateId: roca, newStatus: 'INACTIVE' }));
      const after = await run(deviceCertificateKeyQuality, region, T);
      assert.equal(after.totalResourcesCount, 3);
      assert.deepEqual(summary(after.findings), expect([[weak, KEY_WEAK_RSA_MODULUS]]));
    });

    test('CA key quality: a registered ROCA CA and a stored 1024-bit CA are found', async () => {
      const region = 'ap-northeast-1';
      const roca = await registerCa(region, await certFor(issuer, await webRsaPublicKey(ROCA_N), { ca: true }));
      const weak = await storeCa(region, await certFor(issuer, await freshRsaKey(1024), { ca: true }), 'ACTIVE');
      await registerCa(region, (await makeCa()).pem);
      const res = await run(caCertificateKeyQuality, region, T);
      assert.equal(res.totalResourcesCount, 3);
      assert.deepEqual(summary(res.findings), expect([[roca, KEY_VULNERABILITY_ROCA], [weak, KEY_WEAK_RSA_MODULUS]]));
      const fr = res.findings.find((f) => f.resourceIdentifier.caCertificateId === roca)!;
      assert.equal(fr.resourceType, 'CA_CERTIFICATE');
      assert.match(fr.reasonForNonCompliance, /^CA certificate key/);
    });

    test('registration stores serial number, issuer, key quality and CRL URLs', async () => {
      const region = 'eu-north-1';
      const crl = 'http://crl.example.test/warden/ca.crl';
      const pem = await certFor(issuer, await freshRsaKey(2048), { serial: '0a1b2c3d', crlUrl: crl });
      const id = await registerDevice(region, pem);
      assert.deepEqual(await row('certificates', region, id), {
        serial_number: '0A1B2C3D',
        issuer: new X509Certificate(issuer.pem).subject,
        key_quality: null,
        crl_urls: JSON.stringify([crl]),
      });
      const plain = await registerDevice(region, await deviceAt({}));
      assert.equal((await row('certificates', region, plain))?.crl_urls, null);

      const caPem = await certFor(issuer, await freshRsaKey(2048), { ca: true, serial: '7f01', crlUrl: crl });
      const caId = await registerCa(region, caPem);
      assert.deepEqual(await row('ca_certificates', region, caId), {
        serial_number: '7F01',
        issuer: new X509Certificate(issuer.pem).subject,
        key_quality: null,
        crl_urls: JSON.stringify([crl]),
      });

      // Certificates Warden issues itself get their facts too.
      const created = await client(region).send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      const facts = await row('certificates', region, created.certificateId!);
      const cert = new X509Certificate(created.certificatePem!);
      assert.equal(facts?.serial_number, cert.serialNumber.toUpperCase());
      assert.equal(facts?.issuer, cert.issuer);
      assert.equal(facts?.key_quality, null);
    });
  });
}
