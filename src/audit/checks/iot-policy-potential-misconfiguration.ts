import type { AuditCheck, CheckFinding } from '../check.js';
import { misconfigurationReason, misconfigurations, parsePolicy, type Misconfiguration } from '../policy-analysis.js';
import { defaultPolicyVersions, policyVersionIdentifier } from '../policy-pages.js';

const CODES: Misconfiguration['code'][] = ['POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT', 'TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS'];

/**
 * IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK: Deny statements in a policy's default version that
 * probably do not deny what they were written for (rules in src/audit/policy-analysis.ts). One
 * finding per policy and reason code (as Security Hub's finding ids, which end in the reason
 * code, suggest), naming every statement and resource concerned.
 */
export const iotPolicyPotentialMisconfiguration: AuditCheck = {
  name: 'IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK',
  severity: 'MEDIUM',
  async run(ctx) {
    const findings: CheckFinding[] = [];
    let total = 0;
    for await (const page of defaultPolicyVersions(ctx.db, ctx.scope, ctx.signal)) {
      total += page.length;
      for (const p of page) {
        const statements = parsePolicy(p.document);
        const found = statements ? misconfigurations(statements) : [];
        for (const code of CODES) {
          const items = found.filter((m) => m.code === code);
          if (items.length === 0) continue;
          findings.push({
            resourceType: 'IOT_POLICY',
            resourceIdentifier: policyVersionIdentifier(p),
            reasonForNonCompliance: misconfigurationReason(code, items),
            reasonForNonComplianceCode: code,
          });
        }
      }
    }
    return { status: 'evaluated', totalResourcesCount: total, findings };
  },
};
