import { connectionCheck } from './connection-check.js';

/** AWS looks up to two hours before the audit (connection data settles by then). */
const SHARED_CHECK_LAG_MS = 2 * 3600_000;

/**
 * DEVICE_CERTIFICATE_SHARED_CHECK: a certificate used by concurrent connections with different
 * client ids, the overlap falling inside [windowStart, now - 2 h) (on-demand: 31 days back;
 * scheduled: from two hours before the previous run). One SQL pass finds every connection that
 * overlapped another client's connection of the same certificate. One finding per certificate,
 * its connections as CLIENT_ID related resources (most recent first) with CONNECTION_TIME and,
 * once disconnected, DISCONNECTION_TIME in epoch milliseconds. totalResourcesCount: the
 * certificates that had a connection in the window.
 */
export const deviceCertificateShared = connectionCheck({
  name: 'DEVICE_CERTIFICATE_SHARED_CHECK',
  severity: 'CRITICAL',
  lagMs: SHARED_CHECK_LAG_MS,
  full: false,
  groups: (repo, scope, from, to) => repo.sharedCertificateConnections(scope, from, to),
  total: (repo, scope, from, to) => repo.certificatesConnected(scope, from, to),
  finding: (connections) => ({
    resourceType: 'DEVICE_CERTIFICATE',
    resourceIdentifier: { deviceCertificateId: connections[0].certificateId! },
    reasonForNonCompliance: 'Certificate shared by one or more devices.',
    reasonForNonComplianceCode: 'CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES',
  }),
});
