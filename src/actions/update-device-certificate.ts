import { updateCertificateStatus } from '../registry/certificates.js';
import { applyEffect, resourceOf } from './outcome.js';
import type { ActionHandler } from './types.js';

/**
 * UPDATE_DEVICE_CERTIFICATE (DEACTIVATE): the finding's device certificate becomes INACTIVE
 * through UpdateCertificate's own state machine (SEMANTICS.md D9): already INACTIVE is a success,
 * REVOKED is INVALID_STATE_OF_RESOURCE, a certificate that no longer exists RESOURCE_NOT_FOUND.
 */
export const updateDeviceCertificate: ActionHandler = async (tx, scope, _action, subject) => {
  const id = resourceOf(subject, 'deviceCertificateId', 'UPDATE_DEVICE_CERTIFICATE');
  if ('outcome' in id) return id.outcome;
  return applyEffect(async () => {
    await updateCertificateStatus(tx, scope, id.value, 'INACTIVE');
  });
};
