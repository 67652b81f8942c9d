import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Store } from '../store/store.js';
import { keyQuality } from './key-quality.js';

/**
 * What the audit checks need from a certificate, worked out once when it is stored so an audit
 * never parses PEM: serial number (upper-case hex, no leading zeros as node prints it), issuer
 * name (node's one-attribute-per-line form, the same as `subject` of the issuing CA), the key's
 * quality verdict (a reason code or null) and the CRL distribution point URLs (JSON array or null).
 */
export interface CertificateFacts {
  serialNumber: string;
  issuer: string | null;
  keyQuality: string | null;
  crlUrls: string | null;
}

/** DER of the extension OID 2.5.29.31 (cRLDistributionPoints): only certificates holding it are parsed a second time. */
const CRL_DP_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x1f]);

export function certificateFacts(pem: string | X509Certificate): CertificateFacts {
  let cert: X509Certificate;
  try {
    cert = typeof pem === 'string' ? new X509Certificate(pem) : pem;
  } catch {
    return { serialNumber: '', issuer: null, keyQuality: null, crlUrls: null };
  }
  return { serialNumber: cert.serialNumber.toUpperCase(), issuer: cert.issuer, keyQuality: keyQuality(cert.publicKey), crlUrls: crlUrls(cert) };
}

/** The http(s) URLs of the certificate's CRL distribution points, as a JSON array, or null. */
export function crlUrls(cert: X509Certificate): string | null {
  if (!cert.raw.includes(CRL_DP_OID)) return null;
  const ext = new x509.X509Certificate(cert.raw).getExtension(x509.CRLDistributionPointsExtension);
  const urls: string[] = [];
  for (const dp of ext?.distributionPoints ?? []) {
    for (const name of dp.distributionPoint?.fullName ?? []) {
      const uri = name.uniformResourceIdentifier;
      if (uri && /^https?:\/\//i.test(uri)) urls.push(uri);
    }
  }
  return urls.length ? JSON.stringify(urls) : null;
}

/**
 * Fills in the facts of certificates stored before schema version 9 (migration 009 adds the
 * columns but runs no domain code), a page of 500 at a time in one transaction each; an
 * unparseable PEM gets serial '' so it is not read again. Runs when Warden opens its store; a
 * database with nothing to fill costs one indexed query per table. Answers how many were filled.
 */
export async function backfillCertificateFacts(store: Store): Promise<number> {
  let filled = 0;
  for (const kind of ['device', 'ca'] as const) {
    for (;;) {
      const n = await store.transaction(async (tx) => {
        const page = await tx.certificateFacts.missing(kind, 500);
        for (const c of page) await tx.certificateFacts.set(kind, c, certificateFacts(c.pem));
        return page.length;
      });
      filled += n;
      if (n < 500) break;
    }
  }
  return filled;
}
