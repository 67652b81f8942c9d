import { createPolicyVersion } from '../registry/policies.js';
import { applyEffect, missingResource, resourceOf } from './outcome.js';
import type { ActionHandler } from './types.js';

/** The BLANK_POLICY template (SEMANTICS.md D11): denies every IoT action. */
export const BLANK_POLICY_DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iot:*","Resource":"*"}]}';

/**
 * REPLACE_DEFAULT_POLICY_VERSION (BLANK_POLICY): the finding's policy gets a new version with the
 * blank document, set as the default, through CreatePolicyVersion's own rules. A policy that
 * already has five versions is INVALID_STATE_OF_RESOURCE: no version is ever deleted to make room.
 */
export const replaceDefaultPolicyVersion: ActionHandler = async (tx, scope, _action, subject) => {
  const id = resourceOf(subject, 'policyVersionIdentifier', 'REPLACE_DEFAULT_POLICY_VERSION');
  if ('outcome' in id) return id.outcome;
  const { policyName } = id.value;
  if (!policyName) return missingResource(subject, 'policyVersionIdentifier.policyName', 'REPLACE_DEFAULT_POLICY_VERSION');
  return applyEffect(async () => {
    const v = await createPolicyVersion(tx, scope, { policyName, document: BLANK_POLICY_DOCUMENT, setAsDefault: true });
    return `Policy ${policyName} has the blank policy as its default version ${v.versionId}.`;
  });
};
