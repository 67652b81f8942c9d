/**
 * IAM permission policy documents as Warden reads them: parsed and checked once, when a role is
 * registered (POST /_warden/iam-roles), into statements with list-valued Action/Resource.
 */

/** One statement, normalised: Action/NotAction and Resource/NotResource always lists. */
export interface Statement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  /** The list is a NotAction: the statement covers every action but these. */
  notAction: boolean;
  resources: string[];
  notResource: boolean;
  condition?: Record<string, unknown>;
}

export class PolicyDocumentError extends Error {}

const asList = (v: unknown, what: string): string[] => {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.some((x) => typeof x !== 'string' || x.length === 0)) {
    throw new PolicyDocumentError(`${what} must be a non-empty string or a non-empty list of non-empty strings`);
  }
  return list as string[];
};

/**
 * Parses one IAM policy document (the JSON object, or its text). Throws PolicyDocumentError
 * naming the first problem (e.g. "Statement.2.Effect must be Allow or Deny").
 */
export function parsePolicyDocument(doc: unknown): Statement[] {
  let value = doc;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      throw new PolicyDocumentError(`the document is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PolicyDocumentError('the document must be a JSON object');
  const raw = (value as Record<string, unknown>).Statement;
  if (raw === undefined || raw === null) throw new PolicyDocumentError('Statement is missing');
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((s, i) => {
    const at = `Statement.${i + 1}`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new PolicyDocumentError(`${at} must be a JSON object`);
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw new PolicyDocumentError(`${at}.Effect must be Allow or Deny`);
    if ((st.Action === undefined) === (st.NotAction === undefined)) throw new PolicyDocumentError(`${at} must have exactly one of Action and NotAction`);
    if ((st.Resource === undefined) === (st.NotResource === undefined)) throw new PolicyDocumentError(`${at} must have exactly one of Resource and NotResource`);
    const notAction = st.Action === undefined;
    const actions = asList(notAction ? st.NotAction : st.Action, `${at}.${notAction ? 'NotAction' : 'Action'}`);
    for (const a of actions) {
      if (a !== '*' && !/^[^:\s]+:[^:\s]+$/.test(a)) throw new PolicyDocumentError(`${at}: action ${JSON.stringify(a)} must be "*" or "service:action"`);
    }
    const notResource = st.Resource === undefined;
    const resources = asList(notResource ? st.NotResource : st.Resource, `${at}.${notResource ? 'NotResource' : 'Resource'}`);
    let condition: Record<string, unknown> | undefined;
    if (st.Condition !== undefined) {
      if (st.Condition === null || typeof st.Condition !== 'object' || Array.isArray(st.Condition)) throw new PolicyDocumentError(`${at}.Condition must be a JSON object`);
      condition = st.Condition as Record<string, unknown>;
    }
    return { effect: st.Effect, actions, notAction, resources, notResource, condition };
  });
}
