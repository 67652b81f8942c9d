import { overlyPermissive, parseRole, usedInLastYear, verdictText } from '../iam-analysis.js';
import { roleAliasCheck } from '../role-alias-check.js';

/**
 * IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK: the IAM role each role alias names grants admin access
 * to services it used in the past year, access to security auditing services, or IoT thing-admin,
 * non-thing admin or broad data-plane access (rules in src/audit/iam-analysis.ts). One finding
 * per alias and reason code.
 */
export const iotRoleAliasOverlyPermissive = roleAliasCheck('IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK', 'CRITICAL', (role, ctx) =>
  overlyPermissive(parseRole(role.documents), usedInLastYear(role.servicesUsed, ctx.now)).map((v) => ({ code: v.code, text: verdictText(v) })),
);
