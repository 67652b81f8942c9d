import { IamRoleRepo } from '../../store/iam-roles.js';
import type { AuditCheck, CheckFinding, CheckResult } from '../check.js';
import { notRegisteredMessage, overlyPermissive, parseRole, ROLE_NOT_REGISTERED, usedInLastYear, verdictText, type RoleVerdict } from '../iam-analysis.js';

/**
 * IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK: the IAM role each role alias names grants admin access
 * to services it used in the past year, access to security auditing services, or IoT thing-admin,
 * non-thing admin or broad data-plane access (rules in src/audit/iam-analysis.ts). One finding
 * per alias and reason code, naming the role as a related IAM_ROLE. Aliases whose role Warden
 * was not told about (POST /_warden/iam-roles) are not checked, not counted, and listed in the
 * message with errorCode ROLE_NOT_REGISTERED.
 */
export const iotRoleAliasOverlyPermissive: AuditCheck = {
  name: 'IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK',
  severity: 'CRITICAL',
  async run(ctx): Promise<CheckResult> {
    const findings: CheckFinding[] = [];
    const unknown: { alias: string; roleArn: string }[] = [];
    const verdicts = new Map<string, RoleVerdict[]>();
    let total = 0;
    for await (const page of new IamRoleRepo(ctx.db).aliasPages(ctx.scope, ctx.signal)) {
      for (const a of page) {
        if (!a.role) {
          unknown.push(a);
          continue;
        }
        total++;
        let found = verdicts.get(a.roleArn);
        if (!found) {
          found = overlyPermissive(parseRole(a.role.documents), usedInLastYear(a.role.servicesUsed, ctx.now));
          verdicts.set(a.roleArn, found);
        }
        for (const v of found) {
          findings.push({
            resourceType: 'ROLE_ALIAS',
            resourceIdentifier: { roleAliasArn: a.aliasArn },
            relatedResources: [{ resourceType: 'IAM_ROLE', resourceIdentifier: { iamRoleArn: a.roleArn } }],
            reasonForNonCompliance: verdictText(v),
            reasonForNonComplianceCode: v.code,
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
