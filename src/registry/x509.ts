import 'reflect-metadata';
import { promisify } from 'node:util';
import { createPublicKey, generateKeyPair, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { CertificateValidationException, InvalidRequestException } from '../generated/errors.js';

/**
 * Real X.509: parsing and verification with node's native X509Certificate (fast), building with
 * @peculiar/x509 over node's WebCrypto. Nothing here touches the database.
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const generateKeyPairAsync = promisify(generateKeyPair);
const RSA_SIGN = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
/** AWS IoT-issued certificates are valid until the end of 2049; Warden's are too. */
export const ISSUED_NOT_AFTER = new Date('2049-12-31T23:59:59Z');
const BEGIN = '-----BEGIN CERTIFICATE-----';

export interface ParsedCertificate {
  readonly cert: X509Certificate;
  /** Hex SHA-256 of the DER, lower case: the certificate id AWS uses. */
  readonly id: string;
  /** The certificate re-encoded as one PEM block. */
  readonly pem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subject: string;
  readonly issuer: string;
}

/**
 * Parses one PEM certificate; anything that is not one answers CertificateValidationException
 * naming `what` (the request member) and the problem.
 */
/** A certificate's id, as AWS IoT gives it: the SHA-256 of its DER, in lowercase hex. */
export const certificateIdOf = (cert: X509Certificate): string => cert.fingerprint256.replace(/:/g, '').toLowerCase();

export function parseCertificate(pem: string, what: string): ParsedCertificate {
  if (!pem.includes(BEGIN)) throw new CertificateValidationException(`${what} is not a PEM certificate: it has no ${BEGIN} line.`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (e) {
    throw new CertificateValidationException(`${what} could not be parsed as an X.509 certificate: ${(e as Error).message}`);
  }
  return {
    cert,
    id: certificateIdOf(cert),
    pem: cert.toString(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    subject: cert.subject,
    issuer: cert.issuer,
  };
}

/** Parses and applies the checks every registered certificate must pass: in its validity period, RSA keys of 2048 bits or more. */
export function parseUsableCertificate(pem: string, what: string, now: Date): ParsedCertificate {
  const p = parseCertificate(pem, what);
  if (p.notAfter.getTime() < now.getTime()) throw new CertificateValidationException(`${what} expired on ${p.notAfter.toISOString()}.`);
  if (p.notBefore.getTime() > now.getTime()) throw new CertificateValidationException(`${what} is not valid before ${p.notBefore.toISOString()}.`);
  const key = p.cert.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType === 'rsa' && bits !== undefined && bits < 2048) {
    throw new CertificateValidationException(`${what} has a ${bits}-bit RSA key; AWS IoT requires at least 2048 bits.`);
  }
  return p;
}

/** True when `cert` names `issuer` as its issuer and its signature verifies with the issuer's public key. */
export function isSignedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** The value of the subject's CN attribute (node prints the subject one `KEY=value` per line). */
export function commonName(cert: X509Certificate): string | undefined {
  const line = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return line?.slice(3);
}

export interface KeyPairPem {
  publicKeyPem: string;
  privateKeyPem: string;
  publicKey: KeyObject;
}

/** A fresh RSA 2048 key pair (what CreateKeysAndCertificate issues), generated off the event loop. */
export async function rsaKeyPair(): Promise<KeyPairPem> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return {
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

/** A CA that can sign: its certificate and its private key ready for WebCrypto. */
export interface Signer {
  readonly certPem: string;
  readonly name: string;
  readonly key: CryptoKey;
  readonly authorityKeyId: x509.AuthorityKeyIdentifierExtension;
}

export async function signerFrom(certPem: string, keyPem: string): Promise<Signer> {
  const der = x509.PemConverter.decodeFirst(keyPem);
  const key = await webcrypto.subtle.importKey('pkcs8', der, RSA_SIGN, false, ['sign']);
  const cert = new x509.X509Certificate(certPem);
  return { certPem, name: cert.subject, key: key as unknown as CryptoKey, authorityKeyId: await x509.AuthorityKeyIdentifierExtension.create(cert.publicKey) };
}

/** A self-signed RSA 2048 CA certificate (basicConstraints cA=true) and its PKCS#8 key, both PEM. */
export async function createCa(subject: string, notBefore: Date, notAfter = ISSUED_NOT_AFTER): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(
    { ...RSA_SIGN, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  )) as unknown as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: subject,
    keys,
    notBefore,
    notAfter,
    signingAlgorithm: RSA_SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey);
  return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/**
 * A device certificate for `publicKey`, signed by `ca`, with AWS's end of validity and a random
 * 128-bit serial number; the subject is AWS's own unless one is given (a CSR's).
 */
export async function issueCertificate(
  ca: Signer,
  publicKey: KeyObject,
  notBefore: Date,
  subject: string | x509.Name = 'CN=AWS IoT Certificate',
  /** A TLS server's certificate: these DNS names and IP addresses, serverAuth, and a key usage for key exchange too. */
  server?: { dns: string[]; ips: string[] },
): Promise<string> {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: ca.name,
    publicKey: new Uint8Array(spki),
    signingKey: ca.key,
    notBefore,
    notAfter: ISSUED_NOT_AFTER,
    signingAlgorithm: RSA_SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | (server ? x509.KeyUsageFlags.keyEncipherment : 0), true),
      ca.authorityKeyId,
      ...(server
        ? [
            new x509.SubjectAlternativeNameExtension([...server.dns.map((value) => ({ type: 'dns' as const, value })), ...server.ips.map((value) => ({ type: 'ip' as const, value }))]),
            new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          ]
        : []),
    ],
  });
  return cert.toString('pem');
}

/** A certificate signing request whose signature verified: what CreateCertificateFromCsr issues a certificate from. */
export interface ParsedCsr {
  /** The subject as the CSR encodes it. */
  readonly subject: x509.Name;
  readonly publicKey: KeyObject;
}

const CSR_BEGIN = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----/;
/** The curves AWS IoT accepts in a CSR (NIST P-256, P-384, P-521), by node's names. */
const CSR_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/**
 * Parses a PEM PKCS#10 request and verifies its signature with its own public key. The key must be
 * RSA of 2048 bits or more or EC on P-256, P-384 or P-521, as AWS requires; anything else answers
 * InvalidRequestException naming `what` (the request member) and the problem.
 */
export async function parseCsr(pem: string, what: string): Promise<ParsedCsr> {
  const m = CSR_BEGIN.exec(pem);
  if (!m) throw new InvalidRequestException(`${what} is not a PEM certificate signing request: it has no -----BEGIN CERTIFICATE REQUEST----- line.`);
  let csr: x509.Pkcs10CertificateRequest;
  let publicKey: KeyObject;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem.slice(m.index).replace(/(BEGIN|END) NEW CERTIFICATE REQUEST/g, '$1 CERTIFICATE REQUEST'));
    publicKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  } catch (e) {
    throw new InvalidRequestException(`${what} could not be parsed as a PKCS#10 certificate signing request: ${(e as Error).message}`);
  }
  const type = publicKey.asymmetricKeyType;
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < 2048) throw new InvalidRequestException(`${what} has a ${bits}-bit RSA key; AWS IoT requires at least 2048 bits.`);
  } else if (type !== 'ec' || !CSR_CURVES[details.namedCurve ?? '']) {
    const key = type === 'ec' ? `an EC key on ${details.namedCurve}` : `a${/^[aeiou]/.test(type ?? '') ? 'n' : ''} ${type ?? 'unknown'} key`;
    throw new InvalidRequestException(`${what} has ${key}; AWS IoT accepts RSA keys of 2048 bits or more and EC keys on NIST P-256, P-384 or P-521.`);
  }
  let verified: boolean;
  try {
    verified = await csr.verify();
  } catch (e) {
    throw new InvalidRequestException(`${what} has a signature Warden cannot check (${(e as Error).message}); sign it with SHA-256, SHA-384 or SHA-512 and RSA PKCS#1 v1.5 or ECDSA.`);
  }
  if (!verified) throw new InvalidRequestException(`${what} has a signature that does not verify with its own public key: the request was altered or signed with another key.`);
  return { subject: csr.subjectName, publicKey };
}
