import type { Scope } from '../base/scope.js';
import { Notice } from './notice.js';

/**
 * Notice of a device or CA certificate's status change (notice.ts), for the MQTT broker of this
 * process: it closes the sessions of a certificate that is no longer ACTIVE, and of every
 * certificate a CA that is no longer ACTIVE signed.
 */
export interface CertificateStatusChange {
  readonly accountId: string;
  readonly region: string;
  readonly certificateId: string;
  readonly status: string;
  /** The certificate is a CA certificate (registered with RegisterCACertificate). */
  readonly ca?: boolean;
}

const notice = new Notice<CertificateStatusChange>();

export const onCertificateStatus = (listener: (change: CertificateStatusChange) => void): (() => void) => notice.listen(listener);

/** Tells the listeners once the current transaction (if any) has committed. */
export function certificateStatusChanged(scope: Scope, certificateId: string, status: string): void {
  notice.send({ accountId: scope.accountId, region: scope.region, certificateId, status });
}

/** A CA certificate's status changed; tells the listeners once the current transaction (if any) has committed. */
export function caCertificateStatusChanged(scope: Scope, caCertificateId: string, status: string): void {
  notice.send({ accountId: scope.accountId, region: scope.region, certificateId: caCertificateId, status, ca: true });
}
