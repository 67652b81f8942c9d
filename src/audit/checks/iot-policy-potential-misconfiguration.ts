import { misconfigurationReason, misconfigurations, type Misconfiguration } from '../policy-misconfiguration.js';
import { policyCheck } from '../policy-check.js';

const CODES: Misconfiguration['code'][] = ['POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT', 'TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS'];

/**
 * IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK: Deny statements in a policy's default version that
 * probably do not deny what they were written for (rules in src/audit/policy-misconfiguration.ts).
 * One finding per policy and reason code (as Security Hub's finding ids, which end in the reason
 * code, suggest), naming every statement and resource concerned.
 */
export const iotPolicyPotentialMisconfiguration = policyCheck('IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK', 'MEDIUM', (statements) => {
  const found = misconfigurations(statements);
  return CODES.flatMap((code) => {
    const items = found.filter((m) => m.code === code);
    return items.length ? [{ code, text: misconfigurationReason(code, items) }] : [];
  });
});
