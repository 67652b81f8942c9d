import { updateCertificateStatuses } from '../registry/certificates.js';
import { refusedOutcome, resourceOf } from './outcome.js';
import { setBased, type ActionOutcome } from './types.js';

/**
 * UPDATE_DEVICE_CERTIFICATE (DEACTIVATE): the findings' device certificates become INACTIVE
 * through UpdateCertificate's own state machine (SEMANTICS.md D9), the whole batch in one call:
 * already INACTIVE is a success, REVOKED is INVALID_STATE_OF_RESOURCE, a certificate that no longer
 * exists RESOURCE_NOT_FOUND.
 */
export const updateDeviceCertificate = setBased(async (tx, scope, items) => {
  const ids = items.map(({ subject }) => resourceOf(subject, 'deviceCertificateId', 'UPDATE_DEVICE_CERTIFICATE'));
  const named = ids.flatMap((id) => ('value' in id ? [id.value] : []));
  const results = named.length ? await updateCertificateStatuses(tx, scope, named, 'INACTIVE') : [];
  let next = 0;
  return ids.map((id): ActionOutcome => {
    if ('outcome' in id) return id.outcome;
    const r = results[next++];
    return r.error ? refusedOutcome(r.error) : { status: 'SUCCEEDED' };
  });
});
