import { ConnectionEventRepo, type ConnectionRow } from '../../store/connection-events.js';
import type { RelatedResource } from '../../generated/shapes.js';
import { groupBy, type AuditCheck, type CheckFinding, type CheckResult } from '../check.js';

/** AWS looks up to two hours before the audit (connection data settles by then). */
export const SHARED_CHECK_LAG_MS = 2 * 3600_000;
/** At most this many connections are listed in one finding (the most recent). */
export const MAX_RELATED = 100;

/**
 * DEVICE_CERTIFICATE_SHARED_CHECK: a certificate used by concurrent connections with different
 * client ids, the overlap falling inside [windowStart, now - 2 h) (on-demand: 31 days back;
 * scheduled: from two hours before the previous run). One SQL pass finds every connection that
 * overlapped another client's connection of the same certificate. One finding per certificate,
 * its connections as CLIENT_ID related resources (most recent first) with CONNECTION_TIME and,
 * once disconnected, DISCONNECTION_TIME in epoch milliseconds. totalResourcesCount: the
 * certificates that had a connection in the window.
 */
export const deviceCertificateShared: AuditCheck = {
  name: 'DEVICE_CERTIFICATE_SHARED_CHECK',
  severity: 'CRITICAL',
  async run(ctx): Promise<CheckResult> {
    const repo = new ConnectionEventRepo(ctx.db);
    const from = ctx.windowStart;
    const to = ctx.now.getTime() - SHARED_CHECK_LAG_MS;
    if (to <= from) return { status: 'evaluated', totalResourcesCount: 0, findings: [] };
    const rows = await repo.sharedCertificateConnections(ctx.scope, from, to);
    const findings: CheckFinding[] = [...groupBy(rows, (r) => r.certificateId!)].map(([certificateId, connections]) => ({
      resourceType: 'DEVICE_CERTIFICATE',
      resourceIdentifier: { deviceCertificateId: certificateId },
      relatedResources: connections.slice(0, MAX_RELATED).map(clientResource),
      reasonForNonCompliance: 'Certificate shared by one or more devices.',
      reasonForNonComplianceCode: 'CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES',
    }));
    return { status: 'evaluated', totalResourcesCount: await repo.certificatesConnected(ctx.scope, from, to), findings };
  },
};

function clientResource(c: ConnectionRow): RelatedResource {
  const info: Record<string, string> = { CONNECTION_TIME: String(c.connectedAt) };
  if (c.disconnectedAt !== null) info.DISCONNECTION_TIME = String(c.disconnectedAt);
  return { resourceType: 'CLIENT_ID', resourceIdentifier: { clientId: c.clientId }, additionalInfo: info };
}
