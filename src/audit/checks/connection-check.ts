import type { Scope } from '../../base/scope.js';
import type { AuditFindingSeverity, RelatedResource } from '../../generated/shapes.js';
import type { ConnectionEventRepo, ConnectionRecord } from '../../store/connection-events.js';
import type { AuditCheck, CheckFinding, CheckResult } from '../check.js';

/** At most this many connections are listed in one finding (the most recent). */
const MAX_RELATED = 100;

/**
 * What both connection checks share: the window [windowStart, now - lagMs) (empty: nothing
 * evaluated), one finding per group of connections the repo answers, its connections (most
 * recent first, at most MAX_RELATED) as related CLIENT_ID resources. `full`: each also carries
 * PRINCIPAL_ID and DISCONNECT_REASON when known.
 */
export function connectionCheck(o: {
  name: string;
  severity: AuditFindingSeverity;
  lagMs: number;
  full: boolean;
  groups: (repo: ConnectionEventRepo, scope: Scope, from: number, to: number) => Promise<ConnectionRecord[][]>;
  total: (repo: ConnectionEventRepo, scope: Scope, from: number, to: number) => Promise<number>;
  finding: (connections: ConnectionRecord[]) => Omit<CheckFinding, 'relatedResources'>;
}): AuditCheck {
  return {
    name: o.name,
    severity: o.severity,
    async run(ctx): Promise<CheckResult> {
      const repo = ctx.repos.connectionEvents;
      const from = ctx.windowStart;
      const to = ctx.now.getTime() - o.lagMs;
      if (to <= from) return { status: 'evaluated', totalResourcesCount: 0, findings: [] };
      const findings: CheckFinding[] = (await o.groups(repo, ctx.scope, from, to)).map((connections) => ({
        ...o.finding(connections),
        relatedResources: connections.slice(0, MAX_RELATED).map((c) => connectionResource(c, o.full)),
      }));
      return { status: 'evaluated', totalResourcesCount: await o.total(repo, ctx.scope, from, to), findings };
    },
  };
}

/** One connection as a related CLIENT_ID resource; times in epoch milliseconds. */
function connectionResource(c: ConnectionRecord, full: boolean): RelatedResource {
  const info: Record<string, string> = { CONNECTION_TIME: String(c.connectedAt) };
  if (full && c.principal !== null) info.PRINCIPAL_ID = c.principal;
  if (c.disconnectedAt !== null) info.DISCONNECTION_TIME = String(c.disconnectedAt);
  if (full && c.disconnectReason !== null) info.DISCONNECT_REASON = c.disconnectReason;
  return { resourceType: 'CLIENT_ID', resourceIdentifier: { clientId: c.clientId }, additionalInfo: info };
}
