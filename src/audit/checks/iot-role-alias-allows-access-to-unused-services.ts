import { listText, parseRole, unusedServices, usedInLastYear } from '../iam-analysis.js';
import { roleAliasCheck } from '../role-alias-check.js';

/**
 * IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK: the IAM role a role alias names grants
 * services its credentials did not use in the year before the audit (what Warden was told in
 * servicesUsed; a use without lastUsed counts as recent). A role granting every service ("*")
 * is reported as granting "*". One finding per alias.
 */
export const iotRoleAliasAllowsAccessToUnusedServices = roleAliasCheck('IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK', 'MEDIUM', (role, ctx) => {
  const services = unusedServices(parseRole(role.documents), usedInLastYear(role.servicesUsed, ctx.now));
  return services.length ? [{ code: 'ALLOWS_ACCESS_TO_UNUSED_SERVICES', text: `Role allows access to services not used in the past year: ${listText(services)}.` }] : [];
});
