import { X509Certificate } from 'node:crypto';
import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';
import type { Repos } from '../store/repos.js';
import { registerDeviceCertificate } from '../registry/certificates.js';
import { certificateIdOf, isSignedBy, parseCertificate } from '../registry/x509.js';

/** Who a connection is, once its certificate is accepted. */
export interface Identity extends Scope {
  readonly certificateId: string;
  readonly certificateArn: string;
  readonly caCertificateId?: string;
  readonly cert: X509Certificate;
}

/** Why a certificate is refused (logged; the device sees CONNACK "not authorized"). */
export type Refusal =
  | { reason: 'NO_CERTIFICATE' }
  | { reason: 'UNKNOWN_CERTIFICATE'; certificateId: string }
  | { reason: 'CERTIFICATE_NOT_ACTIVE'; certificateId: string; status: string }
  | { reason: 'CA_NOT_ACTIVE'; certificateId: string; caCertificateId: string }
  | { reason: 'EXPIRED'; certificateId: string }
  | { reason: 'REGISTERED_PENDING_ACTIVATION'; certificateId: string; caCertificateId: string; scope: Scope; registeredAt: Date };

export type Authentication = { ok: true; identity: Identity } | ({ ok: false } & Refusal);

/**
 * AWS IoT Core's mutual-TLS authentication: the client certificate (matched by its SHA-256, the
 * certificate id) must be registered in some account, ACTIVE, and its CA (when registered with
 * one) ACTIVE. A certificate registered in several accounts (MULTI_ACCOUNT mode) connects to the
 * first account, by account id and region, where it is usable: AWS tells them apart by the
 * endpoint, and Warden has one. An unknown certificate signed by a registered CA whose
 * auto-registration is ENABLED is registered PENDING_ACTIVATION (just-in-time registration) and
 * refused.
 */
export async function authenticate(db: Repos, clock: Clock, der: Buffer | undefined): Promise<Authentication> {
  if (!der || der.length === 0) return { ok: false, reason: 'NO_CERTIFICATE' };
  const cert = new X509Certificate(der);
  const certificateId = certificateIdOf(cert);
  const now = clock.now().getTime();
  if (new Date(cert.validTo).getTime() < now || new Date(cert.validFrom).getTime() > now) return { ok: false, reason: 'EXPIRED', certificateId };
  const rows = await db.certificates.everywhere(certificateId);
  let refusal: Authentication | undefined;
  for (const row of rows) {
    const scope = { accountId: row.accountId, region: row.region };
    if (row.status !== 'ACTIVE') {
      refusal ??= { ok: false, reason: 'CERTIFICATE_NOT_ACTIVE', certificateId, status: row.status };
      continue;
    }
    if (row.caCertificateId) {
      const ca = await db.caCertificates.get(scope, row.caCertificateId);
      if (!ca || ca.status !== 'ACTIVE') {
        refusal ??= { ok: false, reason: 'CA_NOT_ACTIVE', certificateId, caCertificateId: row.caCertificateId };
        continue;
      }
    }
    return { ok: true, identity: { ...scope, certificateId, certificateArn: row.arn, caCertificateId: row.caCertificateId, cert } };
  }
  if (refusal) return refusal;
  return (await justInTime(db, clock, cert, certificateId)) ?? { ok: false, reason: 'UNKNOWN_CERTIFICATE', certificateId };
}

/** Just-in-time registration: the first ACTIVE CA with auto-registration that signed the certificate gets it, PENDING_ACTIVATION. */
async function justInTime(db: Repos, clock: Clock, cert: X509Certificate, certificateId: string): Promise<Authentication | undefined> {
  const cas = await db.caCertificates.bySubjectEverywhere(cert.issuer);
  for (const ca of cas) {
    if (ca.status !== 'ACTIVE' || ca.autoRegistrationStatus !== 'ENABLE') continue;
    if (!isSignedBy(cert, new X509Certificate(ca.pem))) continue;
    const scope = { accountId: ca.accountId, region: ca.region, clock };
    try {
      await registerDeviceCertificate(db, scope, parseCertificate(cert.toString(), 'certificate'), {
        status: 'PENDING_ACTIVATION',
        certificateMode: 'DEFAULT',
        caCertificateId: ca.certificateId,
      });
    } catch {
      // registered meanwhile (another connection of the same device): it is PENDING_ACTIVATION too
    }
    return { ok: false, reason: 'REGISTERED_PENDING_ACTIVATION', certificateId, caCertificateId: ca.certificateId, scope: { accountId: ca.accountId, region: ca.region }, registeredAt: clock.now() };
  }
  return undefined;
}

