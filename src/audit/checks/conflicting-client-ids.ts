import { ConnectionEventRepo, type ConnectionRow } from '../../store/connection-events.js';
import type { RelatedResource } from '../../generated/shapes.js';
import { groupBy, type AuditCheck, type CheckFinding, type CheckResult } from '../check.js';
import { MAX_RELATED } from './device-certificate-shared.js';

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
export const conflictingClientIds: AuditCheck = {
  name: 'CONFLICTING_CLIENT_IDS_CHECK',
  severity: 'HIGH',
  async run(ctx): Promise<CheckResult> {
    const repo = new ConnectionEventRepo(ctx.db);
    const from = ctx.windowStart;
    const to = ctx.now.getTime();
    if (to <= from) return { status: 'evaluated', totalResourcesCount: 0, findings: [] };
    const rows = await repo.conflictingClientConnections(ctx.scope, from, to);
    const findings: CheckFinding[] = [...groupBy(rows, (r) => r.clientId)].map(([clientId, connections]) => {
      const principals = [...new Set(connections.map((c) => c.principal ?? 'unknown'))];
      return {
        resourceType: 'CLIENT_ID',
        resourceIdentifier: { clientId },
        relatedResources: connections.slice(0, MAX_RELATED).map(connectionResource),
        reasonForNonCompliance: `Multiple connections with client ID ${clientId} disconnected each other (${connections.length} connection${connections.length === 1 ? '' : 's'}, ${principals.length} principal${principals.length === 1 ? '' : 's'}).`,
        reasonForNonComplianceCode: 'DUPLICATE_CLIENT_ID_ACROSS_CONNECTIONS',
      };
    });
    return { status: 'evaluated', totalResourcesCount: await repo.clientsConnected(ctx.scope, from, to), findings };
  },
};

function connectionResource(c: ConnectionRow): RelatedResource {
  const info: Record<string, string> = { CONNECTION_TIME: String(c.connectedAt) };
  if (c.principal !== null) info.PRINCIPAL_ID = c.principal;
  if (c.disconnectedAt !== null) info.DISCONNECTION_TIME = String(c.disconnectedAt);
  if (c.disconnectReason !== null) info.DISCONNECT_REASON = c.disconnectReason;
  return { resourceType: 'CLIENT_ID', resourceIdentifier: { clientId: c.clientId }, additionalInfo: info };
}
