import 'reflect-metadata';
import { createHash, generateKeyPairSync, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The certificates `bench:registry` registers with RegisterCertificateWithoutCA, made before the
 * timed part: one EC P-256 CA and `count` distinct leaf certificates it signs, each with its own
 * EC P-256 key, serial and subject. `id` is what AWS (and Warden) call the certificateId: the
 * SHA-256 of the DER, hex.
 */
export interface BenchCertificate {
  pem: string;
  id: string;
}

const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A bench CA: an EC P-256 key, its self-signed certificate, and `issue` for the leaves it signs (valid from a day ago for `validDays`). */
export interface BenchCa {
  ca: x509.X509Certificate;
  issue(subject: string, serial: number, spki: Buffer, extensions: x509.Extension[]): Promise<x509.X509Certificate>;
}

export async function makeBenchCa(label: string, validDays: number): Promise<BenchCa> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const caKeys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const now = Date.now();
  const notBefore = new Date(now - DAY_MS);
  const notAfter = new Date(now + validDays * DAY_MS);
  const caName = `CN=Warden ${label} CA ${now}, O=Warden bench`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: caName,
    keys: caKeys,
    serialNumber: '01',
    notBefore,
    notAfter,
    signingAlgorithm: EC_SIGN,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey);
  return {
    ca,
    issue: (subject, serial, spki, extensions) =>
      x509.X509CertificateGenerator.create({
        subject,
        issuer: caName,
        serialNumber: serial.toString(16),
        publicKey: new Uint8Array(spki),
        signingKey: caKeys.privateKey,
        notBefore,
        notAfter,
        signingAlgorithm: EC_SIGN,
        extensions: [new x509.BasicConstraintsExtension(false, undefined, true), authorityKeyId, ...extensions],
      }),
  };
}

export async function makeCertificates(count: number, onProgress?: (done: number) => void): Promise<BenchCertificate[]> {
  const { issue } = await makeBenchCa('bench', 365);
  const out: BenchCertificate[] = new Array(count);
  const one = async (i: number): Promise<void> => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const cert = await issue(`CN=bench-device-${i}, O=Warden bench`, 0x100000 + i, spki, [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)]);
    out[i] = { pem: cert.toString('pem'), id: createHash('sha256').update(new Uint8Array(cert.rawData)).digest('hex') };
  };
  const BATCH = 64;
  for (let i = 0; i < count; i += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => one(i + k)));
    if (onProgress && (i / BATCH) % 16 === 15) onProgress(Math.min(count, i + BATCH));
  }
  if (new Set(out.map((c) => c.id)).size !== count) throw new Error('generated certificates are not all distinct');
  return out;
}
