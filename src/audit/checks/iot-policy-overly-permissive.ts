import { broadActions, broadActionsReason } from '../policy-analysis.js';
import { policyCheck } from '../policy-check.js';

/**
 * IOT_POLICY_OVERLY_PERMISSIVE_CHECK: the default version of each policy grants MQTT or
 * shadow/job data-plane actions on a broad set of devices (rules in src/audit/policy-analysis.ts).
 * One finding per policy, listing the broad actions.
 */
export const iotPolicyOverlyPermissive = policyCheck('IOT_POLICY_OVERLY_PERMISSIVE_CHECK', 'CRITICAL', (statements) => {
  const broad = broadActions(statements);
  return broad.length ? [{ code: 'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS', text: broadActionsReason(broad) }] : [];
});
