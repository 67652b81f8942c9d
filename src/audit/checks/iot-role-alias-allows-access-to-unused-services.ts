import { IamRoleRepo } from '../../store/iam-roles.js';
import type { AuditCheck, CheckFinding, CheckResult } from '../check.js';
import { listText, notRegisteredMessage, parseRole, ROLE_NOT_REGISTERED, unusedServices, usedInLastYear } from '../iam-analysis.js';

/**
 * IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK: the IAM role a role alias names grants
 * services its credentials did not use in the year before the audit (what Warden was told in
 * servicesUsed; a use without lastUsed counts as recent). A role granting every service ("*")
 * is reported as granting "*". One finding per alias; unknown roles as in the overly-permissive
 * check (not counted, listed in the message, errorCode ROLE_NOT_REGISTERED).
 */
export const iotRoleAliasAllowsAccessToUnusedServices: AuditCheck = {
  name: 'IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK',
  severity: 'MEDIUM',
  async run(ctx): Promise<CheckResult> {
    const findings: CheckFinding[] = [];
    const unknown: { alias: string; roleArn: string }[] = [];
    const unused = new Map<string, string[]>();
    let total = 0;
    for await (const page of new IamRoleRepo(ctx.db).aliasPages(ctx.scope, ctx.signal)) {
      for (const a of page) {
        if (!a.role) {
          unknown.push(a);
          continue;
        }
        total++;
        let services = unused.get(a.roleArn);
        if (!services) {
          services = unusedServices(parseRole(a.role.documents), usedInLastYear(a.role.servicesUsed, ctx.now));
          unused.set(a.roleArn, services);
        }
        if (services.length === 0) continue;
        findings.push({
          resourceType: 'ROLE_ALIAS',
          resourceIdentifier: { roleAliasArn: a.aliasArn },
          relatedResources: [{ resourceType: 'IAM_ROLE', resourceIdentifier: { iamRoleArn: a.roleArn } }],
          reasonForNonCompliance: `Role allows access to services not used in the past year: ${listText(services)}.`,
          reasonForNonComplianceCode: 'ALLOWS_ACCESS_TO_UNUSED_SERVICES',
        });
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
