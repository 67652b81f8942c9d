import { keyQualityCheck } from './device-certificate-key-quality.js';

/** CA_CERTIFICATE_KEY_QUALITY_CHECK: the same key tests on ACTIVE or PENDING_TRANSFER CA certificates. */
export const caCertificateKeyQuality = keyQualityCheck({ name: 'CA_CERTIFICATE_KEY_QUALITY_CHECK', table: 'ca_certificates', label: 'CA certificate' });
