import { expiringCheck } from './device-certificate-expiring.js';

/** CA_CERTIFICATE_EXPIRING_CHECK: ACTIVE or PENDING_TRANSFER CA certificates, the fixed 30-day threshold. */
export const caCertificateExpiring = expiringCheck({
  name: 'CA_CERTIFICATE_EXPIRING_CHECK',
  table: 'ca_certificates',
  label: 'CA certificate',
});
