import { connectionCheck } from './connection-check.js';

/**
 * CONFLICTING_CLIENT_IDS_CHECK: connections with the same client id knocked each other off
 * inside [windowStart, now) (AWS: on-demand, the 31 days before the audit; scheduled, since the
 * last run; no two-hour lag is documented for this check). Knocked off: a connection started
 * while another of the same client id was open under a different principal, or a disconnect
 * reported as DUPLICATE_CLIENTID. One finding per client id; each connection involved is a
 * related CLIENT_ID resource (most recent first) with PRINCIPAL_ID, CONNECTION_TIME and, when
 * known, DISCONNECTION_TIME (epoch milliseconds) and DISCONNECT_REASON. totalResourcesCount:
 * the client ids that had a connection in the window.
 */
export const conflictingClientIds = connectionCheck({
  name: 'CONFLICTING_CLIENT_IDS_CHECK',
  severity: 'HIGH',
  lagMs: 0,
  full: true,
  groups: (repo, scope, from, to) => repo.conflictingClientConnections(scope, from, to),
  total: (repo, scope, from, to) => repo.clientsConnected(scope, from, to),
  finding: (connections) => {
    const clientId = connections[0].clientId;
    const principals = [...new Set(connections.map((c) => c.principal ?? 'unknown'))];
    return {
      resourceType: 'CLIENT_ID',
      resourceIdentifier: { clientId },
      reasonForNonCompliance: `Multiple connections with client ID ${clientId} disconnected each other (${connections.length} connection${connections.length === 1 ? '' : 's'}, ${principals.length} principal${principals.length === 1 ? '' : 's'}).`,
      reasonForNonComplianceCode: 'DUPLICATE_CLIENT_ID_ACROSS_CONNECTIONS',
    };
  },
});
