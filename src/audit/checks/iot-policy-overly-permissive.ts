import type { AuditCheck, CheckFinding } from '../check.js';
import { broadActions, broadActionsReason, parsePolicy } from '../policy-analysis.js';
import { defaultPolicyVersions, policyVersionIdentifier } from '../policy-pages.js';

/**
 * IOT_POLICY_OVERLY_PERMISSIVE_CHECK: the default version of each policy grants MQTT or
 * shadow/job data-plane actions on a broad set of devices (rules in src/audit/policy-analysis.ts).
 * One finding per policy, listing the broad actions.
 */
export const iotPolicyOverlyPermissive: AuditCheck = {
  name: 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK',
  severity: 'CRITICAL',
  async run(ctx) {
    const findings: CheckFinding[] = [];
    let total = 0;
    for await (const page of defaultPolicyVersions(ctx.db, ctx.scope, ctx.signal)) {
      total += page.length;
      for (const p of page) {
        const statements = parsePolicy(p.document);
        const broad = statements ? broadActions(statements) : [];
        if (broad.length === 0) continue;
        findings.push({
          resourceType: 'IOT_POLICY',
          resourceIdentifier: policyVersionIdentifier(p),
          reasonForNonCompliance: broadActionsReason(broad),
          reasonForNonComplianceCode: 'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS',
        });
      }
    }
    return { status: 'evaluated', totalResourcesCount: total, findings };
  },
};
