// The three revocation checks (REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK,
// REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK, INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK)
// and the CRLs they read, against a real store (both backends) that the real API filled: real CAs
// and certificates registered through @aws-sdk/client-iot on an in-process server, real CRLs
// signed with the CA keys, uploaded through POST /_warden/crls (SigV4) or served by a local HTTP
// server at the certificates' CRL distribution points. Each scenario uses its own region.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto, X509Certificate } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  ListAuditFindingsCommand,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
  StartOnDemandAuditTaskCommand,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
  type AuditFinding,
} from '@aws-sdk/client-iot';
import * as x509 from '@peculiar/x509';
import type { CheckContext, CheckFinding } from '../../src/audit/check.js';
import { devicePage, intermediateCaRevokedForActiveDeviceCertificates as intermediateCheck } from '../../src/audit/checks/intermediate-ca-revoked-for-active-device-certificates.js';
import { revokedCaCertificateStillActive as caCheck } from '../../src/audit/checks/revoked-ca-certificate-still-active.js';
import { revokedDeviceCertificateStillActive as deviceCheck } from '../../src/audit/checks/revoked-device-certificate-still-active.js';
import { crlFetchSettings } from '../../src/audit/crl-fetch.js';
import { CrlFormatError, decodeCrl, parseCrl } from '../../src/audit/crls.js';
import { BACKENDS, raw } from '../harness.js';
import { makeCa, type TestCa } from '../operations/certificates-helpers.js';
import { post } from '../operations/findings-helpers.js';
import { enableChecks, waitAuditTask } from './audit-config-helpers.js';
import { assertRegistered, ok, useCheckServer, type Evaluated } from './check-harness.js';
import { certFor } from './roca-helpers.js';

const ACCOUNT = '000000000000';
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 3600_000;

/** A certificate issued by `issuer` (a CA when `ca`), with a chosen serial and CRL distribution point. */
async function issue(issuer: TestCa, o: { serial?: string; ca?: boolean; crlUrl?: string; name?: string } = {}): Promise<TestCa & { serial: string }> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const name = o.name ?? `CN=${o.ca ? 'Intermediate' : 'device'} ${Math.random().toString(36).slice(2, 10)}, O=Warden Tests`;
  const pem = await certFor(issuer, keys.publicKey, { ca: o.ca, serial: o.serial, crlUrl: o.crlUrl, subject: name });
  return { pem, name, keys, serial: new X509Certificate(pem).serialNumber };
}

/** A CRL in the name of `issuer`, signed by `signer` (the issuer's own key unless forging). */
async function makeCrl(issuer: TestCa, serials: string[], o: { signer?: CryptoKeyPair; thisUpdate?: Date; nextUpdate?: Date | null } = {}): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: issuer.name,
    thisUpdate: o.thisUpdate ?? new Date(Date.now() - 60_000),
    nextUpdate: o.nextUpdate === null ? undefined : (o.nextUpdate ?? new Date(Date.now() + DAY)),
    entries: serials.map((serialNumber) => ({ serialNumber, revocationDate: new Date(Date.now() - 120_000) })),
    signingKey: (o.signer ?? issuer.keys).privateKey,
    signingAlgorithm: EC,
  });
}

const deviceIds = (fs: CheckFinding[]): string[] => fs.map((f) => f.resourceIdentifier.deviceCertificateId!).sort();

/** A local CRL server: paths map to bodies; '/hang' accepts and never answers. Counts requests per path. */
class CrlServer {
  readonly bodies = new Map<string, Buffer | string>();
  readonly hits = new Map<string, number>();
  private readonly server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    if (path.startsWith('/hang')) return; // never answers
    const body = this.bodies.get(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(body);
  });
  base = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('reading CRLs', () => {
  test('serials as node prints them, with and without nextUpdate, GeneralizedTime dates, node-form issuer', async () => {
    const ca = await makeCa('CN=Reader CA, O=Warden Tests, C=DE');
    for (const nextUpdate of [null, new Date('2055-06-01T12:00:00Z')]) {
      const crl = await makeCrl(ca, ['00ff01', '0a0b', '7f', '01'], { nextUpdate, thisUpdate: new Date('2024-05-06T07:08:09Z') });
      const parsed = parseCrl(decodeCrl(crl.toString('pem')));
      assert.deepEqual(parsed.serials, ['FF01', '0A0B', '7F', '01']);
      assert.equal(parsed.issuer, 'CN=Reader CA\nO=Warden Tests\nC=DE');
      assert.equal(parsed.thisUpdate.toISOString(), '2024-05-06T07:08:09.000Z');
      assert.equal(parsed.nextUpdate?.toISOString(), nextUpdate?.toISOString());
      assert.deepEqual(parseCrl(decodeCrl(Buffer.from(crl.rawData))).serials, parsed.serials, 'DER bytes read the same');
    }
    const empty = parseCrl(decodeCrl((await makeCrl(ca, [])).toString('pem')));
    assert.deepEqual(empty.serials, []);
    assert.throws(() => parseCrl(decodeCrl('-----BEGIN X509 CRL-----\nMAMCAQE=\n-----END X509 CRL-----')), CrlFormatError);
    assert.throws(() => decodeCrl('@@@'), CrlFormatError);
  });
});

test('the three checks are registered with their severities', () =>
  assertRegistered(
    [deviceCheck, 'REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK:MEDIUM'],
    [caCheck, 'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK:CRITICAL'],
    [intermediateCheck, 'INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK:CRITICAL'],
  ));

for (const backend of BACKENDS) {
  describe(`revocation audit checks and CRLs (${backend})`, () => {
    const w = useCheckServer(backend, 'crl');
    const { clock, client } = w;
    const crlServer = new CrlServer();
    /**
     * Each call is a new audit (its own start time and so its own task id), as the runner gives each
     * task; `laterMs` puts the audit in the future without moving the server's clock (SigV4 would
     * refuse the requests).
     */
    const ctx = (region: string, laterMs = 0): CheckContext => {
      clock.advance(1000);
      return w.checkContext(region, { now: new Date(clock.now().getTime() + laterMs) });
    };
    const registerCa = async (region: string, ca: TestCa, active = true): Promise<string> =>
      (await client(region).send(new RegisterCACertificateCommand({ caCertificate: ca.pem, certificateMode: 'SNI_ONLY', setAsActive: active }))).certificateId!;
    const registerDevice = async (region: string, pem: string): Promise<string> =>
      (await client(region).send(new RegisterCertificateCommand({ certificatePem: pem, setAsActive: true }))).certificateId!;
    const postCrl = (region: string, body: unknown) => post(w.url, '/_warden/crls', body, { region });

    before(() => crlServer.start());
    after(() => crlServer.stop());

    test('each check passes on a registry without revocations', async () => {
      const region = 'ap-south-1';
      const root = await makeCa();
      const inter = await issue(root, { ca: true });
      await registerCa(region, root);
      await registerCa(region, inter);
      for (let i = 0; i < 3; i++) await registerDevice(region, (await issue(inter)).pem);
      await registerDevice(region, (await issue(root)).pem);
      // A CRL of the root that revokes nothing registered here.
      const r = await postCrl(region, { crl: (await makeCrl(root, ['7777'])).toString('pem') });
      assert.equal(r.status, 200, r.text);
      for (const [check, total] of [[deviceCheck, 4], [caCheck, 2], [intermediateCheck, 4]] as const) {
        const res = ok(await check.run(ctx(region)));
        assert.deepEqual(res.findings, [], check.name);
        assert.equal(res.totalResourcesCount, total, check.name);
        assert.equal(res.message, undefined, check.name);
      }
    });

    test('an uploaded CRL: the revoked active certificates are found (serials with a high bit and a leading zero nibble), the others are not', async () => {
      const region = 'us-east-1';
      const ca = await makeCa();
      await registerCa(region, ca);
      const revoked = await issue(ca, { serial: '5a01' });
      const highBit = await issue(ca, { serial: '9f00aa' }); // DER 00 9F 00 AA: node prints 9F00AA
      const lowNibble = await issue(ca, { serial: '0a0b0c' }); // node prints 0A0B0C
      const fine = await issue(ca, { serial: '5a02' });
      const inactive = await issue(ca, { serial: '5a03' });
      assert.equal(highBit.serial, '9F00AA');
      assert.equal(lowNibble.serial, '0A0B0C');
      const ids = {
        revoked: await registerDevice(region, revoked.pem),
        highBit: await registerDevice(region, highBit.pem),
        lowNibble: await registerDevice(region, lowNibble.pem),
        fine: await registerDevice(region, fine.pem),
        inactive: await registerDevice(region, inactive.pem),
      };
      await client(region).send(new UpdateCertificateCommand({ certificateId: ids.inactive, newStatus: 'INACTIVE' }));

      assert.deepEqual(ok(await deviceCheck.run(ctx(region))).findings, [], 'nothing is revoked before a CRL is known');
      const crl = await makeCrl(ca, ['5a01', '009f00aa', '0a0b0c', '5a03', 'abcdef']);
      const r = await postCrl(region, { crl: crl.toString('pem') });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.revokedCount, 5);
      assert.equal(r.json.issuer, ca.name);
      assert.equal(r.json.thisUpdate, Math.floor(crl.thisUpdate.getTime() / 1000));
      assert.equal(r.json.nextUpdate, Math.floor(crl.nextUpdate!.getTime() / 1000));
      assert.match(r.json.crlId, /^[0-9a-f]{64}$/);

      const res = ok(await deviceCheck.run(ctx(region)));
      assert.deepEqual(deviceIds(res.findings), [ids.revoked, ids.highBit, ids.lowNibble].sort());
      assert.equal(res.totalResourcesCount, 4);
      assert.equal(res.message, undefined);
      const f = res.findings[0];
      assert.equal(f.resourceType, 'DEVICE_CERTIFICATE');
      assert.equal(f.reasonForNonComplianceCode, 'CERTIFICATE_REVOKED_BY_ISSUER');
      assert.deepEqual(Object.keys(f.resourceIdentifier), ['deviceCertificateId']);
      // The CA itself is not revoked by anyone, and nothing it issued is under a revoked intermediate.
      assert.deepEqual(ok(await caCheck.run(ctx(region))).findings, []);
      assert.deepEqual(ok(await intermediateCheck.run(ctx(region))).findings, []);

      // The CRL belongs to the caller's account and region: the same certificates elsewhere are not judged by it.
      await registerCa('us-west-1', ca);
      await registerDevice('us-west-1', revoked.pem);
      assert.deepEqual(ok(await deviceCheck.run(ctx('us-west-1'))).findings, []);

      // A base64 DER upload of a newer CRL replaces the older one; an older one is then refused.
      const newer = await makeCrl(ca, ['5a02'], { thisUpdate: new Date(Date.now() - 1000) });
      const r2 = await postCrl(region, { crl: Buffer.from(newer.rawData).toString('base64') });
      assert.equal(r2.status, 200, r2.text);
      assert.deepEqual(deviceIds(ok(await deviceCheck.run(ctx(region))).findings), [ids.fine]);
      const r3 = await postCrl(region, { crl: crl.toString('pem') });
      assert.equal(r3.status, 400);
      assert.match(r3.json.message, /^crl is older/);
    });

    test('POST /_warden/crls refuses a CRL signed by another key, and bad bodies, naming the field', async () => {
      const region = 'us-east-2';
      const ca = await makeCa();
      await registerCa(region, ca);
      const stranger = await makeCa();
      const forged = await makeCrl(ca, ['01'], { signer: stranger.keys });
      let r = await postCrl(region, { crl: forged.toString('pem') });
      assert.equal(r.status, 400);
      assert.equal(r.headers.get('x-amzn-errortype')?.split(':')[0], 'InvalidRequestException');
      assert.match(r.json.message, /^crl is refused: .*signature does not verify with the issuer's key/);
      // Same with an explicit issuer certificate.
      r = await postCrl(region, { crl: forged.toString('pem'), issuerCertificate: ca.pem });
      assert.equal(r.status, 400);
      assert.match(r.json.message, /signature does not verify with the issuer's key/);
      // An issuer certificate that is not the CRL's issuer.
      r = await postCrl(region, { crl: forged.toString('pem'), issuerCertificate: stranger.pem });
      assert.equal(r.status, 400);
      assert.match(r.json.message, /^issuerCertificate is not the CRL's issuer/);
      // An issuer nobody registered: issuerCertificate is needed, and then it works.
      const unregistered = await makeCa();
      const theirs = (await makeCrl(unregistered, ['02'])).toString('pem');
      r = await postCrl(region, { crl: theirs });
      assert.equal(r.status, 400);
      assert.match(r.json.message, /^issuerCertificate is required/);
      r = await postCrl(region, { crl: theirs, issuerCertificate: unregistered.pem });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.revokedCount, 1);
      // Bodies.
      r = await postCrl(region, {});
      assert.equal(r.status, 400);
      assert.match(r.json.message, /at 'crl' failed to satisfy constraint: Member must not be null/);
      r = await postCrl(region, { crl: 42 });
      assert.match(r.json.message, /at 'crl' failed to satisfy constraint: Member must be a string/);
      r = await postCrl(region, { crl: 'not a crl!' });
      assert.match(r.json.message, /^crl is not a certificate revocation list/);
      r = await postCrl(region, { crl: Buffer.from('hello world').toString('base64') });
      assert.match(r.json.message, /^crl is not a certificate revocation list/);
      r = await postCrl(region, { crl: theirs, issuerCertificate: 'nope' });
      assert.match(r.json.message, /^issuerCertificate is not a PEM X.509 certificate/);
      r = await postCrl(region, { crl: theirs, extra: 1 });
      assert.match(r.json.message, /at 'extra'/);
      // Unsigned requests are refused like any signed Warden endpoint.
      const unsigned = await raw(w.url, { method: 'POST', path: '/_warden/crls', body: JSON.stringify({ crl: theirs }), unsigned: true });
      assert.equal(unsigned.status, 403);
      // The forged CRL revokes nothing.
      const res = ok(await deviceCheck.run(ctx(region)));
      assert.deepEqual(res.findings, []);
    });

    test('CRLs are fetched from the distribution points, once per URL per audit, and again after nextUpdate', async () => {
      const region = 'eu-west-1';
      const root = await makeCa();
      const rootUrl = `${crlServer.base}/${backend}/root.crl`;
      const interUrl = `${crlServer.base}/${backend}/inter.crl`;
      const inter = await issue(root, { ca: true, crlUrl: rootUrl });
      const other = await issue(root, { ca: true, crlUrl: rootUrl });
      await registerCa(region, root);
      const interId = await registerCa(region, inter);
      await registerCa(region, other);
      const devices = [];
      for (let i = 0; i < 4; i++) devices.push(await issue(inter, { crlUrl: interUrl }));
      const underOther = await issue(other, { crlUrl: interUrl });
      const ids: string[] = [];
      for (const d of devices) ids.push(await registerDevice(region, d.pem));
      const otherDeviceId = await registerDevice(region, underOther.pem);

      // The root revokes the intermediate (served as PEM); the intermediate revokes one device (served as DER).
      crlServer.bodies.set(`/${backend}/root.crl`, (await makeCrl(root, [inter.serial])).toString('pem'));
      crlServer.bodies.set(`/${backend}/inter.crl`, Buffer.from((await makeCrl(inter, [devices[0].serial])).rawData));

      // One audit: the three checks share the fetches.
      const audit = ctx(region);
      const device = ok(await deviceCheck.run(audit));
      const ca = ok(await caCheck.run(audit));
      devicePage.rows = 3; // four certificates under the intermediate: two pages
      let intermediate: Evaluated;
      try {
        intermediate = ok(await intermediateCheck.run(audit));
      } finally {
        devicePage.rows = 5000;
      }
      assert.equal(crlServer.hits.get(`/${backend}/inter.crl`), 1);
      assert.equal(crlServer.hits.get(`/${backend}/root.crl`), 1);
      assert.deepEqual(deviceIds(device.findings), [ids[0]]);
      assert.deepEqual(
        ca.findings.map((f) => f.resourceIdentifier),
        [{ caCertificateId: interId }],
      );
      assert.equal(ca.findings[0].reasonForNonComplianceCode, 'CERTIFICATE_REVOKED_BY_ISSUER');
      assert.equal(ca.totalResourcesCount, 3);
      assert.deepEqual(deviceIds(intermediate.findings), [...ids].sort());
      assert.ok(!deviceIds(intermediate.findings).includes(otherDeviceId));
      const f = intermediate.findings.find((x) => x.resourceIdentifier.deviceCertificateId === ids[1])!;
      assert.equal(f.reasonForNonComplianceCode, 'INTERMEDIATE_CA_REVOKED_BY_ISSUER');
      assert.equal(f.resourceIdentifier.deviceCertificateArn, `arn:aws:iot:${region}:${ACCOUNT}:cert/${ids[1]}`);
      assert.deepEqual(f.relatedResources, [
        {
          resourceType: 'ISSUER_CERTIFICATE',
          resourceIdentifier: { issuerCertificateIdentifier: { issuerCertificateSubject: inter.name, issuerId: interId, issuerCertificateSerialNumber: inter.serial } },
        },
      ]);

      // A later audit before nextUpdate uses the stored copies.
      ok(await deviceCheck.run(ctx(region)));
      assert.equal(crlServer.hits.get(`/${backend}/inter.crl`), 1);
      // Past nextUpdate the CRL is fetched again: the new one also revokes devices[2].
      crlServer.bodies.set(`/${backend}/inter.crl`, Buffer.from((await makeCrl(inter, [devices[0].serial, devices[2].serial], { nextUpdate: new Date(Date.now() + 30 * DAY) })).rawData));
      const later = ok(await deviceCheck.run(ctx(region, 2 * DAY)));
      assert.equal(crlServer.hits.get(`/${backend}/inter.crl`), 2);
      assert.deepEqual(deviceIds(later.findings), [ids[0], ids[2]].sort());

      // The intermediate being INACTIVE in IoT does not clear its device certificates; it leaves the CA check.
      await client(region).send(new UpdateCACertificateCommand({ certificateId: interId, newStatus: 'INACTIVE' }));
      assert.equal(ok(await intermediateCheck.run(ctx(region))).findings.length, 4);
      assert.deepEqual(ok(await caCheck.run(ctx(region))).findings, []);
    });

    test('a distribution point that never answers times out; the check completes and says so in its message', async () => {
      const region = 'eu-central-1';
      const saved = crlFetchSettings.timeoutMs;
      crlFetchSettings.timeoutMs = 400;
      try {
        const a = await makeCa();
        const b = await makeCa();
        await registerCa(region, a);
        await registerCa(region, b);
        const hangUrl = `${crlServer.base}/hang`;
        const goodUrl = `${crlServer.base}/${backend}/b.crl`;
        const silent = await issue(a, { crlUrl: hangUrl });
        const silent2 = await issue(a, { crlUrl: hangUrl });
        const revoked = await issue(b, { crlUrl: goodUrl });
        await registerDevice(region, silent.pem);
        await registerDevice(region, silent2.pem);
        const revokedId = await registerDevice(region, revoked.pem);
        crlServer.bodies.set(`/${backend}/b.crl`, Buffer.from((await makeCrl(b, [revoked.serial])).rawData));
        const before = crlServer.hits.get('/hang') ?? 0;
        const started = Date.now();
        const res = ok(await deviceCheck.run(ctx(region)));
        const ms = Date.now() - started;
        assert.deepEqual(deviceIds(res.findings), [revokedId]);
        assert.equal(crlServer.hits.get('/hang'), before + 1, 'one fetch for the two certificates naming it');
        // What shows the 400 ms timeout ended the wait rather than the check's 20 s budget; the
        // bound is well above the timeout, so it holds on a loaded machine.
        assert.ok(ms < 5000, `took ${ms} ms`);
        assert.match(res.message ?? '', new RegExp(`CRL ${hangUrl} could not be fetched or read \\(no answer within 400 ms\\)`));
      } finally {
        crlFetchSettings.timeoutMs = saved;
      }
      assert.equal(saved, 5000, 'the default timeout is 5 s');
    });

    test('the fetches of one check share a time budget: dead distribution points cannot hold the audit', async () => {
      const region = 'eu-north-1';
      const saved = { ...crlFetchSettings };
      Object.assign(crlFetchSettings, { timeoutMs: 10_000, checkBudgetMs: 500, concurrency: 1 });
      try {
        const a = await makeCa();
        await registerCa(region, a);
        for (const n of [1, 2, 3]) await registerDevice(region, (await issue(a, { crlUrl: `${crlServer.base}/hang/${backend}/${n}` })).pem);
        const started = Date.now();
        const res = ok(await deviceCheck.run(ctx(region)));
        const ms = Date.now() - started;
        // What shows the 500 ms budget ended the waits rather than the 10 s per-URL timeout; the
        // bound is well above the budget, so it holds on a loaded machine.
        assert.ok(ms < 3000, `took ${ms} ms`);
        assert.equal(res.totalResourcesCount, 3);
        for (const n of [1, 2, 3]) assert.match(res.message ?? '', new RegExp(`CRL ${crlServer.base}/hang/${backend}/${n} could not be fetched or read`));
        assert.match(res.message ?? '', /for fetching CRLs was spent/);
      } finally {
        Object.assign(crlFetchSettings, saved);
      }
    });

    test('a fetched CRL signed by another key, or unreachable, or not a CRL, is ignored and named in the message', async () => {
      const region = 'sa-east-1';
      const ca = await makeCa();
      await registerCa(region, ca);
      const stranger = await makeCa();
      const forgedUrl = `${crlServer.base}/${backend}/forged.crl`;
      const missingUrl = `${crlServer.base}/${backend}/missing.crl`;
      const junkUrl = `${crlServer.base}/${backend}/junk.crl`;
      const d1 = await issue(ca, { crlUrl: forgedUrl });
      const d2 = await issue(ca, { crlUrl: missingUrl });
      const d3 = await issue(ca, { crlUrl: junkUrl });
      for (const d of [d1, d2, d3]) await registerDevice(region, d.pem);
      crlServer.bodies.set(`/${backend}/forged.crl`, Buffer.from((await makeCrl(ca, [d1.serial, d2.serial, d3.serial], { signer: stranger.keys })).rawData));
      crlServer.bodies.set(`/${backend}/junk.crl`, 'this is not a CRL');
      const res = ok(await deviceCheck.run(ctx(region)));
      assert.deepEqual(res.findings, []);
      assert.equal(res.totalResourcesCount, 3);
      assert.match(res.message ?? '', new RegExp(`CRL ${forgedUrl} was ignored: the CRL's signature does not verify with the issuer's key`));
      assert.match(res.message ?? '', new RegExp(`CRL ${missingUrl} could not be fetched or read \\(HTTP 404\\)`));
      assert.match(res.message ?? '', new RegExp(`CRL ${junkUrl} could not be fetched or read`));
    });

    test('a CA revoked by an uploaded CRL of an issuer that is not registered (issuerCertificate given)', async () => {
      const region = 'ca-central-1';
      const root = await makeCa(); // never registered
      const inter = await issue(root, { ca: true });
      const kept = await issue(root, { ca: true });
      const interId = await registerCa(region, inter);
      await registerCa(region, kept);
      await registerCa(region, await issue(root, { ca: true }), false); // INACTIVE
      const device = await registerDevice(region, (await issue(inter)).pem);
      const r = await postCrl(region, { crl: (await makeCrl(root, [inter.serial], { nextUpdate: null })).toString('pem'), issuerCertificate: root.pem });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.nextUpdate, undefined);
      const res = ok(await caCheck.run(ctx(region)));
      assert.deepEqual(res.findings.map((f) => f.resourceIdentifier.caCertificateId), [interId]);
      assert.equal(res.totalResourcesCount, 2, 'the INACTIVE CA is not audited');
      const i = ok(await intermediateCheck.run(ctx(region)));
      assert.deepEqual(deviceIds(i.findings), [device]);
    });

    test('end to end: an on-demand audit of the three checks through the API, with uploaded CRLs', async () => {
      const region = 'ap-northeast-1';
      const c = client(region);
      await enableChecks(c, [deviceCheck.name, caCheck.name, intermediateCheck.name]);
      const root = await makeCa();
      const inter = await issue(root, { ca: true });
      await registerCa(region, root);
      const interId = await registerCa(region, inter);
      const underRoot = await issue(root);
      const underRootId = await registerDevice(region, underRoot.pem);
      const underInter: string[] = [];
      for (let i = 0; i < 2; i++) underInter.push(await registerDevice(region, (await issue(inter)).pem));
      assert.equal((await postCrl(region, { crl: (await makeCrl(root, [inter.serial, underRoot.serial])).toString('pem') })).status, 200);

      const { taskId } = await c.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: [deviceCheck.name, caCheck.name, intermediateCheck.name] }));
      const task = await waitAuditTask(c, taskId!);
      assert.equal(task.taskStatus, 'COMPLETED', JSON.stringify(task));
      const details = task.auditDetails!;
      assert.equal(details[deviceCheck.name].checkRunStatus, 'COMPLETED_NON_COMPLIANT');
      assert.equal(details[deviceCheck.name].nonCompliantResourcesCount, 1);
      assert.equal(details[deviceCheck.name].totalResourcesCount, 3);
      assert.equal(details[caCheck.name].nonCompliantResourcesCount, 1);
      assert.equal(details[caCheck.name].totalResourcesCount, 2);
      assert.equal(details[intermediateCheck.name].nonCompliantResourcesCount, 2);

      const findings: AuditFinding[] = [];
      for (const checkName of [deviceCheck.name, caCheck.name, intermediateCheck.name]) {
        findings.push(...(await c.send(new ListAuditFindingsCommand({ taskId, checkName }))).findings!);
      }
      const of = (name: string) => findings.filter((f) => f.checkName === name);
      assert.deepEqual(of(deviceCheck.name).map((f) => [f.severity, f.nonCompliantResource?.resourceIdentifier?.deviceCertificateId]), [['MEDIUM', underRootId]]);
      assert.deepEqual(of(caCheck.name).map((f) => [f.severity, f.nonCompliantResource?.resourceIdentifier?.caCertificateId]), [['CRITICAL', interId]]);
      const viaInter = of(intermediateCheck.name);
      assert.deepEqual(viaInter.map((f) => f.nonCompliantResource?.resourceIdentifier?.deviceCertificateId).sort(), [...underInter].sort());
      assert.equal(viaInter[0].severity, 'CRITICAL');
      assert.equal(viaInter[0].reasonForNonComplianceCode, 'INTERMEDIATE_CA_REVOKED_BY_ISSUER');
      assert.deepEqual(viaInter[0].relatedResources, [
        {
          resourceType: 'ISSUER_CERTIFICATE',
          resourceIdentifier: { issuerCertificateIdentifier: { issuerCertificateSubject: inter.name, issuerId: interId, issuerCertificateSerialNumber: inter.serial } },
        },
      ]);
    });
  });
}
