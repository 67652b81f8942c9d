import { updateCaCertificateStatus } from '../registry/certificates.js';
import { applyEffect, resourceOf } from './outcome.js';
import type { ActionHandler } from './types.js';

/**
 * UPDATE_CA_CERTIFICATE (DEACTIVATE): the finding's CA certificate becomes INACTIVE through
 * UpdateCACertificate's own rules (SEMANTICS.md D9): already INACTIVE is a success, a CA
 * certificate that no longer exists RESOURCE_NOT_FOUND.
 */
export const updateCaCertificate: ActionHandler = async (tx, scope, _action, subject) => {
  const id = resourceOf(subject, 'caCertificateId', 'UPDATE_CA_CERTIFICATE');
  if ('outcome' in id) return id.outcome;
  return applyEffect(async () => {
    await updateCaCertificateStatus(tx, scope, id.value, 'INACTIVE');
  });
};
