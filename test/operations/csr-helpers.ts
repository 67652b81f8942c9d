// Certificate signing requests with real keys for the CreateCertificateFromCsr tests (operations, wire, parity).
import 'reflect-metadata';
import { createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]) } as const;

/** Key generation and signing parameters (WebCrypto) of the kinds AWS accepts. */
export const KEYS = {
  'RSA 2048': { gen: { ...RSA, modulusLength: 2048 }, sign: RSA },
  'EC P-256': { gen: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  'EC P-384': { gen: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash: 'SHA-384' } },
} as const;

export type KeyKind = keyof typeof KEYS | { gen: object; sign: object };

/** A PEM CSR with subject `name` for a fresh key of `kind`, and the key's public half. */
export async function makeCsr(name: string, kind: KeyKind): Promise<{ pem: string; spki: KeyObject }> {
  const k = typeof kind === 'string' ? KEYS[kind] : kind;
  const keys = (await webcrypto.subtle.generateKey(k.gen as RsaHashedKeyGenParams, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: k.sign as Algorithm });
  return { pem: csr.toString('pem'), spki: createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' }) };
}

/** The CSR with `from` in its DER replaced by `to` (same length) after signing: it parses, but its signature no longer verifies. */
export function tamper(pem: string, from: string, to: string): string {
  const der = Buffer.from(x509.PemConverter.decodeFirst(pem));
  const at = der.indexOf(from);
  if (at < 0 || from.length !== to.length) throw new Error(`cannot replace ${from} in the CSR`);
  der.write(to, at);
  return x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
}
