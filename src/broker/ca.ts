import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import type { Clock } from '../base/clock.js';
import type { Repos } from '../store/repos.js';
import { createCa, issueCertificate, rsaKeyPair, signerFrom } from '../registry/x509.js';

/**
 * The account-independent Warden root CA: it signs the broker's server certificate. Kept in the
 * table of Warden's per-account CAs under this key (not an account id: twelve digits never
 * collide with it), so it survives restarts and every node of a PostgreSQL cluster shares it.
 */
export const ROOT_CA_KEY = 'warden-root';
const ROOT_SUBJECT = 'CN=Warden Root CA, O=Warden';
/** The root CA and the server certificate are valid from a day before they are made, so a client whose clock is behind the server's still trusts them. */
const BACKDATE_MS = 86_400_000;

/** The root CA's certificate (PEM), created and stored on first use. */
export async function rootCa(db: Repos, clock: Clock): Promise<{ certPem: string; keyPem: string }> {
  let row = await db.wardenCas.get(ROOT_CA_KEY);
  if (!row) {
    const ca = await createCa(ROOT_SUBJECT, new Date(clock.now().getTime() - BACKDATE_MS));
    await db.wardenCas.insertIfAbsent({ accountId: ROOT_CA_KEY, ...ca }, clock.now());
    row = (await db.wardenCas.get(ROOT_CA_KEY))!;
  }
  return { certPem: row.certPem, keyPem: row.keyPem };
}

/** Writes the root CA as `<dataDir>/ca.pem` for clients' --cafile (best effort: a read-only folder only loses the copy). */
export function writeCaFile(dataDir: string, certPem: string): string | undefined {
  try {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'ca.pem');
    writeFileSync(path, certPem);
    return path;
  } catch {
    return undefined;
  }
}

/**
 * A fresh key and server certificate signed by the root CA for `localhost`, `127.0.0.1`, `::1`
 * and the extra names (DNS names or IP addresses). Made at every start: only the CA is stable.
 */
export async function serverCertificate(ca: { certPem: string; keyPem: string }, names: readonly string[], now: Date): Promise<{ certPem: string; keyPem: string }> {
  const all = [...new Set(['localhost', '127.0.0.1', '::1', ...names])];
  const signer = await signerFrom(ca.certPem, ca.keyPem);
  const keys = await rsaKeyPair();
  const certPem = await issueCertificate(signer, keys.publicKey, new Date(now.getTime() - BACKDATE_MS), `CN=${names[0] ?? 'localhost'}`, {
    dns: all.filter((n) => isIP(n) === 0),
    ips: all.filter((n) => isIP(n) !== 0),
  });
  return { certPem, keyPem: keys.privateKeyPem };
}
