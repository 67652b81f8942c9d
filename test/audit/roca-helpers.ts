// Keys with the ROCA structure (CVE-2017-15361) and RSA certificates for the key-quality tests.
// Infineon's library built each prime as p = k·M + (65537^a mod M), M the product of the first
// n primes, n depending on the key size (Nemec et al., CCS 2017, table 1). Building such primes
// needs no Infineon hardware: pick a and k at random until p is prime.
import 'reflect-metadata';
import { checkPrimeSync, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { TestCa } from '../operations/certificates-helpers.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const DAY = 86_400_000;
const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

function firstPrimes(count: number): bigint[] {
  const out: bigint[] = [];
  for (let c = 2; out.length < count; c++) if (out.every((p) => c % Number(p) !== 0)) out.push(BigInt(c));
  return out;
}

/** The primorial the attack uses for a modulus of `bits` bits. */
export function rocaPrimorial(bits: number): bigint {
  const count = bits <= 960 ? 39 : bits <= 1952 ? 71 : bits <= 3936 ? 126 : 225;
  return firstPrimes(count).reduce((m, p) => m * p, 1n);
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  base %= mod;
  for (; exp > 0n; exp >>= 1n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
  }
  return result;
}

function randomBelow(n: bigint): bigint {
  const bytes = Math.ceil(n.toString(16).length / 2) + 8;
  return BigInt(`0x${randomBytes(bytes).toString('hex')}`) % n;
}

/** A prime of exactly `bits` bits (top two set, so two of them multiply to 2·bits bits) of the form k·M + 65537^a mod M. */
export function rocaPrime(bits: number, m: bigint): bigint {
  const lo = (3n << BigInt(bits - 2)) / m + 1n;
  const hi = ((1n << BigInt(bits)) - m) / m;
  for (;;) {
    const p = (lo + randomBelow(hi - lo)) * m + modPow(65537n, randomBelow(1n << 64n), m);
    if (checkPrimeSync(p)) return p;
  }
}

/** A ROCA-structured RSA modulus of `bits` bits (even). */
export function rocaModulus(bits: number): bigint {
  const m = rocaPrimorial(bits);
  return rocaPrime(bits / 2, m) * rocaPrime(bits / 2, m);
}

const b64url = (n: bigint): string => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};

/** The public key (e = 65537) with modulus n, as node and as WebCrypto see it. */
export function rsaPublicKey(n: bigint): KeyObject {
  return createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: 'AQAB' }, format: 'jwk' });
}

export async function webRsaPublicKey(n: bigint): Promise<CryptoKey> {
  return (await webcrypto.subtle.importKey('jwk', { kty: 'RSA', n: b64url(n), e: 'AQAB', ext: true }, RSA, true, ['verify'])) as unknown as CryptoKey;
}

/** A fresh RSA public key of `bits` bits (WebCrypto; only the public half is used). */
export async function freshRsaKey(bits: number): Promise<CryptoKey> {
  const pair = (await webcrypto.subtle.generateKey({ ...RSA, modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  return pair.publicKey;
}

/** A certificate for `publicKey` issued and signed by the (ECDSA) test CA `issuer`; a CA certificate when `ca`. */
export async function certFor(
  issuer: TestCa,
  publicKey: CryptoKey,
  o: { ca?: boolean; notBefore?: Date; notAfter?: Date; serial?: string; crlUrl?: string; subject?: string } = {},
): Promise<string> {
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(o.ca ?? false, undefined, true)];
  if (o.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([o.crlUrl]));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: o.serial,
    subject: o.subject ?? `CN=${o.ca ? 'CA' : 'device'} ${Math.random().toString(36).slice(2, 10)}, O=Warden Tests`,
    issuer: issuer.name,
    publicKey,
    signingKey: issuer.keys.privateKey,
    notBefore: o.notBefore ?? new Date(Date.now() - DAY),
    notAfter: o.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingAlgorithm: EC_SIGN,
    extensions,
  });
  return cert.toString('pem');
}
