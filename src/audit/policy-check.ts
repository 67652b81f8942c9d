import type { AuditFindingSeverity } from '../generated/shapes.js';
import type { AuditCheck, CheckFinding, CheckReason } from './check.js';
import { parsePolicy, type PolicyStatement } from './policy-analysis.js';
import { defaultPolicyVersions, policyVersionIdentifier } from './policy-pages.js';

/**
 * What both IoT policy checks share: the default version of every policy of the scope, parsed,
 * judged by `judge` (none when compliant, or when the document is not a policy); one finding per
 * policy and reason. totalResourcesCount is the number of policies.
 */
export function policyCheck(name: string, severity: AuditFindingSeverity, judge: (statements: PolicyStatement[]) => CheckReason[]): AuditCheck {
  return {
    name,
    severity,
    async run(ctx) {
      const findings: CheckFinding[] = [];
      let total = 0;
      for await (const page of defaultPolicyVersions(ctx.repos, ctx.scope, ctx.signal)) {
        total += page.length;
        for (const p of page) {
          const statements = parsePolicy(p.document);
          for (const r of statements ? judge(statements) : []) {
            findings.push({ resourceType: 'IOT_POLICY', resourceIdentifier: policyVersionIdentifier(p), reasonForNonCompliance: r.text, reasonForNonComplianceCode: r.code });
          }
        }
      }
      return { status: 'evaluated', totalResourcesCount: total, findings };
    },
  };
}
