import 'reflect-metadata';
import { createHash, generateKeyPairSync, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { CN_MARK, recipeFrom, SERIAL_MARK, type CertRecipe } from './engine-certs.js';

/**
 * Certificates of `bench:audit`: self-signed CA certificates (cA=true, each its own EC P-256 key)
 * and recipes for device certificates signed by one of them with a chosen validity period. A
 * recipe is the template trick of engine-certs.ts (one TBSCertificate with serial number and CN
 * patched per certificate, signed with node's ECDSA), so 100,000 device certificates take seconds;
 * `CertFactory` of engine-certs.ts makes certificate `i` of a recipe.
 */
export const DAY_MS = 86_400_000;
const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;

let providerSet = false;
function provider(): void {
  if (providerSet) return;
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  providerSet = true;
}

export interface BenchCa {
  /** Distinguished name as given to @peculiar/x509 (`CN=..., O=...`). */
  name: string;
  pem: string;
  /** SHA-256 of the DER, lower-case hex: AWS's certificateId. */
  id: string;
  /** Node's form of the subject (what the registry stores and matches issuers against). */
  subject: string;
  /** Only kept for the CAs that sign certificates or CRLs. */
  keyPkcs8Pem?: string;
  signingKey?: CryptoKey;
  cert: x509.X509Certificate;
}

/**
 * A CA certificate with a fresh EC P-256 key: self-signed, or signed by `parent` (an
 * intermediate, pathLength 0). `keepKey` keeps its private key to sign with.
 */
export async function makeCa(name: string, serial: string, notBefore: Date, notAfter: Date, keepKey: boolean, parent?: BenchCa): Promise<BenchCa> {
  provider();
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const subtle = webcrypto.subtle;
  const keys = {
    privateKey: await subtle.importKey('pkcs8', pair.privateKey.export({ type: 'pkcs8', format: 'der' }), EC_KEY, false, ['sign']),
    publicKey: await subtle.importKey('spki', pair.publicKey.export({ type: 'spki', format: 'der' }), EC_KEY, true, ['verify']),
  } as unknown as CryptoKeyPair;
  const extensions = [
    new x509.BasicConstraintsExtension(true, parent ? 0 : undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  let cert: x509.X509Certificate;
  if (parent) {
    if (!parent.signingKey) throw new Error(`CA ${parent.name} was made without keeping its key`);
    cert = await x509.X509CertificateGenerator.create({
      subject: name,
      issuer: parent.name,
      serialNumber: serial,
      notBefore,
      notAfter,
      signingAlgorithm: EC_SIGN,
      publicKey: keys.publicKey,
      signingKey: parent.signingKey,
      extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(parent.cert.publicKey)],
    });
  } else {
    cert = await x509.X509CertificateGenerator.createSelfSigned({ name, keys, serialNumber: serial, notBefore, notAfter, signingAlgorithm: EC_SIGN, extensions });
  }
  const pem = cert.toString('pem');
  return {
    name,
    pem: pem.endsWith('\n') ? pem : `${pem}\n`,
    id: createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex'),
    subject: new X509Certificate(pem).subject,
    keyPkcs8Pem: keepKey ? pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() : undefined,
    signingKey: keepKey ? keys.privateKey : undefined,
    cert,
  };
}

/** A CRL of `ca` (DER) listing `serials` (hex, as node prints them), issued a day before `now`, next update in 7 days. */
export async function makeCrl(ca: BenchCa, serials: readonly string[], now: number): Promise<Buffer> {
  provider();
  if (!ca.signingKey) throw new Error(`CA ${ca.name} was made without keeping its key`);
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.name,
    thisUpdate: new Date(now - DAY_MS),
    nextUpdate: new Date(now + 7 * DAY_MS),
    signingAlgorithm: EC_SIGN,
    signingKey: ca.signingKey,
    entries: serials.map((serialNumber) => ({ serialNumber, revocationDate: new Date(now - 2 * DAY_MS), reason: x509.X509CrlReason.keyCompromise })),
  });
  return Buffer.from(crl.rawData);
}

/**
 * A recipe for device certificates signed by `ca` (which must keep its key), valid from
 * `notBefore` to `notAfter`, all with one device key made here: EC P-256, or RSA 2048 when `rsa`.
 */
export async function deviceRecipe(ca: BenchCa, notBefore: Date, notAfter: Date, rsa = false): Promise<CertRecipe> {
  provider();
  if (!ca.keyPkcs8Pem || !ca.signingKey) throw new Error(`CA ${ca.name} was made without keeping its key`);
  const device = rsa ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const template = await x509.X509CertificateGenerator.create({
    subject: `CN=device-${CN_MARK}, O=Warden bench`,
    issuer: ca.name,
    serialNumber: SERIAL_MARK,
    publicKey: new Uint8Array(device.publicKey.export({ type: 'spki', format: 'der' })),
    signingKey: ca.signingKey,
    notBefore,
    notAfter,
    signingAlgorithm: EC_SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
  return recipeFrom(template, ca.keyPkcs8Pem);
}
