import type { Scope } from '../base/scope.js';
import { Notice } from './notice.js';

/**
 * Notice of a device certificate's status change (notice.ts), for the MQTT brokers of this process
 * and of the other nodes sharing the database: they close the sessions of a certificate that is
 * no longer ACTIVE.
 */
export interface CertificateStatusChange {
  readonly accountId: string;
  readonly region: string;
  readonly certificateId: string;
  readonly status: string;
}

const notice = new Notice<CertificateStatusChange>({
  kind: 'certificate-status',
  fields: ['accountId', 'region', 'certificateId', 'status'],
  // Anything may have changed: every certificate that is not ACTIVE (its sessions are closed).
  everything: (repos) => repos.certificates.notActive(),
});

export const onCertificateStatus = (listener: (change: CertificateStatusChange) => void): (() => void) => notice.listen(listener);

/** Tells the listeners once the current transaction (if any) has committed. */
export function certificateStatusChanged(scope: Scope, certificateId: string, status: string): void {
  notice.send({ accountId: scope.accountId, region: scope.region, certificateId, status });
}
