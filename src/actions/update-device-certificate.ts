import { updateCertificateStatuses } from '../registry/certificates.js';
import { outcomesOf, resourceOf } from './outcome.js';
import { setBased } from './types.js';

/**
 * UPDATE_DEVICE_CERTIFICATE (DEACTIVATE): the findings' device certificates become INACTIVE
 * through UpdateCertificate's own state machine (SEMANTICS.md D9), the whole batch in one call:
 * already INACTIVE is a success, REVOKED is INVALID_STATE_OF_RESOURCE, a certificate that no longer
 * exists RESOURCE_NOT_FOUND.
 */
export const updateDeviceCertificate = setBased(async (tx, scope, items) =>
  outcomesOf(
    items.map(({ subject }) => resourceOf(subject, 'deviceCertificateId', 'UPDATE_DEVICE_CERTIFICATE')),
    async (ids) => (await updateCertificateStatuses(tx, scope, ids, 'INACTIVE')).map((r) => r.error),
  ),
);
