import type { AliasWithRole } from '../store/iam-roles.js';
import type { AuditFindingSeverity } from '../generated/shapes.js';
import type { AuditCheck, CheckContext, CheckFinding, CheckReason, CheckResult } from './check.js';
import { notRegisteredMessage, ROLE_NOT_REGISTERED } from './iam-analysis.js';

/**
 * What both role-alias checks share: every role alias of the scope with the IAM role it names,
 * judged once per role (`judge` gives the reasons, none when compliant); one finding per alias and
 * reason, naming the role as a related IAM_ROLE. Aliases whose role Warden was not told about
 * (POST /_warden/iam-roles) are not judged, not counted, and listed in the message with errorCode
 * ROLE_NOT_REGISTERED.
 */
export function roleAliasCheck(name: string, severity: AuditFindingSeverity, judge: (role: NonNullable<AliasWithRole['role']>, ctx: CheckContext) => CheckReason[]): AuditCheck {
  return {
    name,
    severity,
    async run(ctx): Promise<CheckResult> {
      const findings: CheckFinding[] = [];
      const unknown: { alias: string; roleArn: string }[] = [];
      const judged = new Map<string, CheckReason[]>();
      let total = 0;
      for await (const page of ctx.repos.iamRoles.aliasPages(ctx.scope, ctx.signal)) {
        for (const a of page) {
          if (!a.role) {
            unknown.push(a);
            continue;
          }
          total++;
          let reasons = judged.get(a.roleArn);
          if (!reasons) judged.set(a.roleArn, (reasons = judge(a.role, ctx)));
          for (const r of reasons) {
            findings.push({
              resourceType: 'ROLE_ALIAS',
              resourceIdentifier: { roleAliasArn: a.aliasArn },
              relatedResources: [{ resourceType: 'IAM_ROLE', resourceIdentifier: { iamRoleArn: a.roleArn } }],
              reasonForNonCompliance: r.text,
              reasonForNonComplianceCode: r.code,
            });
          }
        }
      }
      return {
        status: 'evaluated',
        totalResourcesCount: total,
        findings,
        ...(unknown.length ? { errorCode: ROLE_NOT_REGISTERED, message: notRegisteredMessage(unknown) } : {}),
      };
    },
  };
}
