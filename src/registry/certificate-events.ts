import type { Scope } from '../base/scope.js';
import { Notice } from './notice.js';

/**
 * Notice of a device certificate's status change (notice.ts), for the MQTT broker of this process:
 * it closes the sessions of a certificate that is no longer ACTIVE.
 */
export interface CertificateStatusChange {
  readonly accountId: string;
  readonly region: string;
  readonly certificateId: string;
  readonly status: string;
}

const notice = new Notice<CertificateStatusChange>();

export const onCertificateStatus = (listener: (change: CertificateStatusChange) => void): (() => void) => notice.listen(listener);

/** Tells the listeners once the current transaction (if any) has committed. */
export function certificateStatusChanged(scope: Scope, certificateId: string, status: string): void {
  notice.send({ accountId: scope.accountId, region: scope.region, certificateId, status });
}
