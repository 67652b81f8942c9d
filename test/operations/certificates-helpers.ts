// Real keys and X.509 certificates for the certificate tests (ECDSA P-256: fast to generate).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import * as x509 from '@peculiar/x509';
import { IoTServiceException } from '@aws-sdk/client-iot';
import type { Scope } from '../../src/base/scope.js';
import { caCertificateArn } from '../../src/registry/certificates.js';
import { certificateFacts } from '../../src/registry/cert-facts.js';
import { parseCertificate } from '../../src/registry/x509.js';
import type { Repos } from '../../src/store/repos.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface TestCa {
  pem: string;
  name: string;
  keys: CryptoKeyPair;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

/** A self-signed CA (basicConstraints cA=true unless `ca: false`). */
export async function makeCa(name = `CN=Test CA ${Math.random().toString(36).slice(2, 8)}, O=Warden Tests`, opts: { ca?: boolean; keys?: CryptoKeyPair; notBefore?: Date; notAfter?: Date } = {}): Promise<TestCa> {
  const keys = opts.keys ?? (await keyPair());
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
    notAfter: opts.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingAlgorithm: EC,
    extensions: [new x509.BasicConstraintsExtension(opts.ca ?? true, undefined, true)],
  });
  return { pem: cert.toString('pem'), name, keys };
}

/**
 * A leaf certificate issued in the name of `issuer` and signed by `signer` (the issuer's own key
 * unless a different one is given, to forge a signature).
 */
export async function makeLeaf(
  issuer: TestCa,
  opts: { subject?: string; signer?: CryptoKeyPair; notBefore?: Date; notAfter?: Date } = {},
): Promise<string> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create({
    subject: opts.subject ?? `CN=device-${Math.random().toString(36).slice(2, 10)}`,
    issuer: issuer.name,
    publicKey: keys.publicKey,
    signingKey: (opts.signer ?? issuer.keys).privateKey,
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
    notAfter: opts.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingAlgorithm: EC,
  });
  return cert.toString('pem');
}

/** A self-signed end-entity certificate (for RegisterCertificateWithoutCA). */
export async function makeSelfSigned(opts: { notBefore?: Date; notAfter?: Date } = {}): Promise<string> {
  return (await makeCa(`CN=device-${Math.random().toString(36).slice(2, 10)}`, { ca: false, ...opts })).pem;
}

/**
 * Stores a CA certificate row the way RegisterCACertificate writes it (SNI_ONLY, auto-registration
 * off, version 1, created and modified at `at`), bypassing registration's checks, for certificates
 * it would refuse; answers the certificate id.
 */
export async function storeCaCertificate(repos: Repos, scope: Scope, pem: string, o: { status: string; at: Date }): Promise<string> {
  const p = parseCertificate(pem, 'caCertificate');
  await repos.caCertificates.insert(scope, {
    certificateId: p.id,
    arn: caCertificateArn(scope, p.id),
    status: o.status,
    pem: p.pem,
    subject: p.subject,
    certificateMode: 'SNI_ONLY',
    autoRegistrationStatus: 'DISABLE',
    ownedBy: scope.accountId,
    generationId: 'g1',
    customerVersion: 1,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    createdAt: o.at,
    modifiedAt: o.at,
  }, certificateFacts(p.cert));
  return p.id;
}

export const daysFromNow = (days: number): Date => new Date(Date.now() + days * DAY);

export { assertFails, failure } from '../harness.js';

/** The Warden CA certificate the server stored for an account, read from its database. */
export async function storedWardenCa(server: { dataDir: string; databaseUrl?: string }, accountId = '000000000000'): Promise<string> {
  if (server.databaseUrl) {
    const url = new URL(server.databaseUrl);
    const schema = url.searchParams.get('schema')!;
    url.searchParams.delete('schema');
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      const r = await c.query(`SELECT cert_pem FROM ${schema}.warden_cas WHERE account_id = $1`, [accountId]);
      return r.rows[0].cert_pem as string;
    } finally {
      await c.end();
    }
  }
  const db = new Database(join(server.dataDir, 'warden.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT cert_pem FROM warden_cas WHERE account_id = ?').get(accountId) as { cert_pem: string }).cert_pem;
  } finally {
    db.close();
  }
}
