/**
 * The statements of an IoT policy document, as written: the one parser the policy engine
 * (engine.ts, for the broker) and the audit's policy analyses share.
 */

export interface PolicyStatement {
  /** 0-based position in the document. */
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Action or NotAction patterns, as written. */
  actions: string[];
  notAction: boolean;
  /** Resource or NotResource patterns, as written. */
  resources: string[];
  notResource: boolean;
  /** The statement has any Condition. */
  conditional: boolean;
  /** Its Condition requires `Bool iot:Connection.Thing.IsAttached` = true, which pins `${iot:ClientId}`. */
  isAttached: boolean;
  /** The Condition block as written (operator -> key -> value or values), when it has one. */
  condition?: Record<string, unknown>;
}

const list = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

/** `Bool: {"iot:Connection.Thing.IsAttached": "true"}` (also `true`, `["true"]`); keys compared case-insensitively. */
function requiresIsAttached(condition: unknown): boolean {
  if (!condition || typeof condition !== 'object') return false;
  for (const [op, body] of Object.entries(condition)) {
    if (op.toLowerCase() !== 'bool' || !body || typeof body !== 'object') continue;
    for (const [key, value] of Object.entries(body)) {
      if (key.toLowerCase() !== 'iot:connection.thing.isattached') continue;
      const values: unknown[] = Array.isArray(value) ? value : [value];
      if (values.length > 0 && values.every((x) => x === true || String(x).toLowerCase() === 'true')) return true;
    }
  }
  return false;
}

/** The statements of a policy document; undefined when it is not a policy at all (stored documents were validated). */
export function parsePolicy(document: string): PolicyStatement[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    return undefined;
  }
  return statementsOf(doc);
}

/** The statements of a policy document already parsed from JSON; undefined when it is not a policy at all. */
export function statementsOf(doc: unknown): PolicyStatement[] | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  const raw = (doc as { Statement?: unknown }).Statement;
  const items: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const out: PolicyStatement[] = [];
  items.forEach((item, index) => {
    if (!item || typeof item !== 'object') return;
    const s = item as Record<string, unknown>;
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return;
    const actions = list(s.Action ?? s.NotAction);
    const resources = list(s.Resource ?? s.NotResource);
    if (!actions || !resources) return;
    out.push({
      index,
      sid: typeof s.Sid === 'string' && s.Sid !== '' ? s.Sid : undefined,
      effect: s.Effect,
      actions,
      notAction: s.Action === undefined,
      resources,
      notResource: s.Resource === undefined,
      conditional: s.Condition !== undefined && s.Condition !== null && Object.keys(s.Condition as object).length > 0,
      isAttached: requiresIsAttached(s.Condition),
      condition: s.Condition && typeof s.Condition === 'object' && !Array.isArray(s.Condition) ? (s.Condition as Record<string, unknown>) : undefined,
    });
  });
  return out;
}

