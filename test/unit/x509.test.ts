// Parsing, verification and issuance of real X.509 certificates (no server).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { commonName, createCa, isSignedBy, issueCertificate, parseCertificate, parseUsableCertificate, rsaKeyPair, signerFrom } from '../../src/registry/x509.js';
import { daysFromNow, makeCa, makeLeaf, makeSelfSigned } from '../operations/certificates-helpers.js';

describe('x509', () => {
  test('parseCertificate: the id is the lower-case hex SHA-256 of the DER; dates and names come from the certificate', async () => {
    const pem = await makeSelfSigned();
    const p = parseCertificate(pem, 'certificatePem');
    const node = new X509Certificate(pem);
    assert.equal(p.id, node.fingerprint256.replace(/:/g, '').toLowerCase());
    assert.match(p.id, /^[0-9a-f]{64}$/);
    assert.equal(p.notBefore.getTime(), Date.parse(node.validFrom));
    assert.equal(p.notAfter.getTime(), Date.parse(node.validTo));
    assert.equal(p.subject, node.subject);
    assert.equal(p.pem, node.toString());
  });

  test('malformed input answers CertificateValidationException naming the member', () => {
    for (const [pem, message] of [
      ['hello', /^certificatePem is not a PEM certificate/],
      ['-----BEGIN CERTIFICATE-----\nnotbase64!!\n-----END CERTIFICATE-----', /^certificatePem could not be parsed/],
    ] as const) {
      assert.throws(() => parseCertificate(pem, 'certificatePem'), (e: Error) => e.name === 'CertificateValidationException' && message.test(e.message));
    }
  });

  test('parseUsableCertificate refuses expired, not yet valid and short RSA keys', async () => {
    const now = new Date();
    const expired = await makeSelfSigned({ notBefore: daysFromNow(-3), notAfter: daysFromNow(-1) });
    assert.throws(() => parseUsableCertificate(expired, 'certificatePem', now), /certificatePem expired on/);
    const future = await makeSelfSigned({ notBefore: daysFromNow(1), notAfter: daysFromNow(3) });
    assert.throws(() => parseUsableCertificate(future, 'certificatePem', now), /not valid before/);
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]) };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
    const weak = await x509.X509CertificateGenerator.createSelfSigned({ name: 'CN=weak', keys, signingAlgorithm: alg, notBefore: daysFromNow(-1), notAfter: daysFromNow(1) });
    assert.throws(() => parseUsableCertificate(weak.toString('pem'), 'certificatePem', now), /1024-bit RSA key/);
  });

  test('isSignedBy checks the issuer name and the signature; commonName reads CN', async () => {
    const ca = await makeCa();
    const other = await makeCa(ca.name);
    const leaf = new X509Certificate(await makeLeaf(ca, { subject: 'CN=abc123, O=x' }));
    assert.equal(isSignedBy(leaf, new X509Certificate(ca.pem)), true);
    assert.equal(isSignedBy(leaf, new X509Certificate(other.pem)), false, 'same name, other key');
    assert.equal(isSignedBy(leaf, new X509Certificate((await makeCa()).pem)), false, 'other name');
    assert.equal(commonName(leaf), 'abc123');
  });

  test('createCa and issueCertificate make a real chain: RSA 2048, CA flag, AWS subject and end of validity', async () => {
    const ca = await createCa('CN=Unit CA, O=Warden', new Date());
    const caCert = new X509Certificate(ca.certPem);
    assert.equal(caCert.ca, true);
    createPrivateKey(ca.keyPem);
    const keys = await rsaKeyPair();
    assert.match(keys.privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.match(keys.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
    const pem = await issueCertificate(await signerFrom(ca.certPem, ca.keyPem), keys.publicKey, new Date());
    const cert = new X509Certificate(pem);
    assert.equal(isSignedBy(cert, caCert), true);
    assert.equal(cert.ca, false);
    assert.equal(cert.subject, 'CN=AWS IoT Certificate');
    assert.equal(new Date(cert.validTo).toISOString(), '2049-12-31T23:59:59.000Z');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  });
});
