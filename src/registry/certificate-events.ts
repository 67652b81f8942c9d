import type { Scope } from '../base/scope.js';
import { Notice } from './notice.js';

/**
 * Notices of a device or CA certificate's status change (notice.ts), for the MQTT brokers of this
 * process and of the other nodes sharing the database: they close the sessions of a certificate
 * that is no longer ACTIVE, and of every certificate a CA that is no longer ACTIVE signed.
 */
export interface CertificateStatusChange {
  readonly accountId: string;
  readonly region: string;
  readonly certificateId: string;
  readonly status: string;
  /** The certificate is a CA certificate (registered with RegisterCACertificate). */
  readonly ca?: boolean;
}

const notice = new Notice<CertificateStatusChange>({
  kind: 'certificate-status',
  fields: ['accountId', 'region', 'certificateId', 'status'],
  // Anything may have changed: every certificate that is not ACTIVE (its sessions are closed).
  everything: (repos) => repos.certificates.notActive(),
});

const caNotice = new Notice<CertificateStatusChange>({
  kind: 'ca-certificate-status',
  fields: ['accountId', 'region', 'certificateId', 'status'],
  everything: (repos) => repos.caCertificates.notActive(),
});

/** Listens to both kinds; a CA's change comes with `ca: true`. */
export const onCertificateStatus = (listener: (change: CertificateStatusChange) => void): (() => void) => {
  const stopDevices = notice.listen(listener);
  const stopCas = caNotice.listen((c) => listener({ ...c, ca: true }));
  return () => {
    stopDevices();
    stopCas();
  };
};

/** Tells the listeners once the current transaction (if any) has committed. */
export function certificateStatusChanged(scope: Scope, certificateId: string, status: string): void {
  notice.send({ accountId: scope.accountId, region: scope.region, certificateId, status });
}

/** A CA certificate's status changed; tells the listeners once the current transaction (if any) has committed. */
export function caCertificateStatusChanged(scope: Scope, caCertificateId: string, status: string): void {
  caNotice.send({ accountId: scope.accountId, region: scope.region, certificateId: caCertificateId, status });
}
