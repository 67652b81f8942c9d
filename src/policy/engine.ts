import { statementsOf, type PolicyStatement } from './statements.js';
import { actionMatches, glob, globMatches, type Glob } from './wildcards.js';

/**
 * The one IoT policy engine: does a set of policies allow an action on a resource for one MQTT
 * connection? Pure (no database, no clock). The broker asks it for every Connect, Publish,
 * Subscribe and Receive; the policies come from registry/effective-policies.ts.
 *
 * AWS facts followed (IoT developer guide: iot-policy-variables, thing-policy-variables,
 * cert-policy-variables, pub-sub-policy; IAM user guide, access_resources, whose convention IoT
 * policies follow):
 * - IAM: "By default, all requests are implicitly denied", "An explicit allow ... overrides this
 *   default", and a single policy that denies denies the whole request (an explicit deny) —
 *   across every policy that applies.
 * - iot-policy-variables: policies "follow a similar convention to IAM policies": `*` any run of
 *   characters, `?` one character; action names compare case-insensitively, resources exactly.
 *   "The characters + and # are treated as literal strings in a policy."
 * - Thing variables: "the value of clientId ... must exactly match the thing name"; otherwise
 *   (and for an attribute the thing lacks) "this variable won't be resolved and will result in an
 *   access denied error". Here: a statement with a variable (in a Resource or a Condition) that
 *   does not resolve does not apply at all, for Allow and Deny alike.
 * - `iot:Connection.Thing.IsAttached` "has the value true or false": it always resolves.
 *
 * Conditions (decided here where AWS is silent): operators StringEquals, StringNotEquals,
 * StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals,
 * ArnNotEquals, ArnLike, ArnNotLike and Bool (names compared case-insensitively), over the
 * condition keys this engine resolves (the same names as the policy variables below, compared
 * case-insensitively). Blocks AND together, keys within a block AND, the values of one key OR
 * (for the Not operators: none may match). An operator or key the engine does not know (e.g.
 * DateGreaterThan, IfExists, aws:SourceIp) makes the statement not apply: an Allow then grants
 * nothing and a Deny denies nothing — the broker never grants on a condition it did not check.
 */

export type Decision = 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

/** The distinguished-name attributes AWS exposes as iot:Certificate.Subject.* and iot:Certificate.Issuer.*. */
export const DN_ATTRIBUTES = [
  'DistinguishedNameQualifier',
  'Country',
  'Organization',
  'OrganizationalUnit',
  'State',
  'CommonName',
  'SerialNumber',
  'Title',
  'Surname',
  'GivenName',
  'Initials',
  'Pseudonym',
  'GenerationQualifier',
] as const;
export type DnAttribute = (typeof DN_ATTRIBUTES)[number];

/** The alternative-name kinds AWS exposes as iot:Certificate.SubjectAlternativeName.* and iot:Certificate.IssuerAlternativeName.*. */
export const ALT_NAME_KINDS = ['RFC822Name', 'DNSName', 'DirectoryName', 'UniformResourceIdentifier', 'IPAddress'] as const;
export type AltNameKind = (typeof ALT_NAME_KINDS)[number];

/** What the client certificate gives ${iot:Certificate.*}; an absent field leaves its variable unresolved. */
export interface CertificateVariables {
  subject: Partial<Record<DnAttribute, string>>;
  issuer: Partial<Record<DnAttribute, string>>;
  subjectAlternativeName?: Partial<Record<AltNameKind, string>>;
  issuerAlternativeName?: Partial<Record<AltNameKind, string>>;
  /** iot:Certificate.SerialNumber, as the broker formats it (AWS's docs show the hex serial). */
  serialNumber?: string;
  /** iot:Certificate.Validity.NotBefore / NotAfter, resolved as ISO 8601 text (date operators are not implemented). */
  notBefore?: Date;
  notAfter?: Date;
}

/** What policy variables resolve from, for one MQTT connection. */
export interface ConnectionFacts {
  accountId: string;
  region: string;
  clientId: string;
  /** The thing attached to the connection's certificate whose name equals the client id, if any (AWS: thing policy variables resolve only then). */
  thing?: { name: string; typeName?: string; attributes: Record<string, string> };
  certificateId: string;
  certificate: CertificateVariables;
}

/** A compiled policy: its statements, ready for many decisions. */
export interface CompiledPolicy {
  readonly statements: readonly PolicyStatement[];
}

/** The document's statements; undefined when it is not JSON or not a policy. */
export function compilePolicy(document: string): CompiledPolicy | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    return undefined;
  }
  const statements = statementsOf(doc);
  return statements ? { statements } : undefined;
}

// ------------------------------------------------------------------ variables

/** The value of one policy variable or condition key (name without `${}`), or undefined when it does not resolve. */
export function resolveVariable(name: string, facts: ConnectionFacts): string | undefined {
  // IAM's escapes: ${*}, ${?}, ${$} stand for the literal character.
  if (name === '*' || name === '?' || name === '$') return name;
  const key = name.toLowerCase();
  if (key === 'iot:clientid') return facts.clientId;
  if (key === 'iot:certificateid') return facts.certificateId;
  if (key === 'iot:connection.thing.isattached') return facts.thing ? 'true' : 'false';
  if (key.startsWith('iot:connection.thing.')) {
    const thing = facts.thing;
    if (!thing) return undefined;
    if (key === 'iot:connection.thing.thingname') return thing.name;
    if (key === 'iot:connection.thing.thingtypename') return thing.typeName;
    const attr = /^iot:Connection\.Thing\.Attributes\[(.+)\]$/i.exec(name);
    return attr && Object.prototype.hasOwnProperty.call(thing.attributes, attr[1]) ? thing.attributes[attr[1]] : undefined;
  }
  if (key.startsWith('iot:certificate.')) return certificateVariable(key.slice('iot:certificate.'.length), facts.certificate);
  return undefined;
}

const DN_BY_KEY = new Map(DN_ATTRIBUTES.map((a) => [a.toLowerCase(), a]));
const ALT_BY_KEY = new Map(ALT_NAME_KINDS.map((a) => [a.toLowerCase(), a]));

function certificateVariable(rest: string, cert: CertificateVariables): string | undefined {
  const [group, field, extra] = rest.split('.');
  if (extra !== undefined) return undefined;
  if (field === undefined) {
    if (group === 'serialnumber') return cert.serialNumber;
    if (group === 'availablekeys') return availableKeys(cert).join(',');
    return undefined;
  }
  if (group === 'subject' || group === 'issuer') {
    const a = DN_BY_KEY.get(field);
    return a ? cert[group][a] : undefined;
  }
  if (group === 'subjectalternativename' || group === 'issueralternativename') {
    const a = ALT_BY_KEY.get(field);
    const names = group === 'subjectalternativename' ? cert.subjectAlternativeName : cert.issuerAlternativeName;
    return a ? names?.[a] : undefined;
  }
  if (group === 'validity') {
    const d = field === 'notbefore' ? cert.notBefore : field === 'notafter' ? cert.notAfter : undefined;
    return d?.toISOString();
  }
  return undefined;
}

/** iot:Certificate.AvailableKeys: the names of the certificate variables that resolve, comma-separated. */
function availableKeys(cert: CertificateVariables): string[] {
  const keys: string[] = [];
  for (const a of DN_ATTRIBUTES) if (cert.issuer[a] !== undefined) keys.push(`iot:Certificate.Issuer.${a}`);
  for (const a of DN_ATTRIBUTES) if (cert.subject[a] !== undefined) keys.push(`iot:Certificate.Subject.${a}`);
  for (const a of ALT_NAME_KINDS) if (cert.issuerAlternativeName?.[a] !== undefined) keys.push(`iot:Certificate.IssuerAlternativeName.${a}`);
  for (const a of ALT_NAME_KINDS) if (cert.subjectAlternativeName?.[a] !== undefined) keys.push(`iot:Certificate.SubjectAlternativeName.${a}`);
  if (cert.serialNumber !== undefined) keys.push('iot:Certificate.SerialNumber');
  if (cert.notBefore !== undefined) keys.push('iot:Certificate.Validity.NotBefore');
  if (cert.notAfter !== undefined) keys.push('iot:Certificate.Validity.NotAfter');
  return keys;
}

const VARIABLE = /\$\{([^}]*)\}/g;

/**
 * The patterns with variables resolved for one connection's facts (a session's facts object is
 * made once per policy load and never changed): the broker decides every packet with the same few.
 */
const resolvedPatterns = new WeakMap<ConnectionFacts, Map<string, Glob | null>>();
/** Patterns without variables are the same for every connection: kept once. */
const plainPatterns = new Map<string, Glob>();
const PLAIN_LIMIT = 10_000;

/** The pattern with its variables replaced by their (literal) values; undefined when one does not resolve. */
function patternGlob(pattern: string, facts: ConnectionFacts, ignoreCase: boolean, wildcards: boolean): Glob | undefined {
  const key = `${ignoreCase ? 'i' : '-'}${wildcards ? 'w' : '-'}${pattern}`;
  if (!pattern.includes('${')) {
    let g = plainPatterns.get(key);
    if (!g) {
      if (plainPatterns.size >= PLAIN_LIMIT) plainPatterns.clear();
      plainPatterns.set(key, (g = glob([{ text: pattern, wildcards }], ignoreCase)));
    }
    return g;
  }
  let cache = resolvedPatterns.get(facts);
  if (!cache) resolvedPatterns.set(facts, (cache = new Map()));
  const hit = cache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const g = resolvePattern(pattern, facts, ignoreCase, wildcards);
  // A session holds a handful of patterns; a caller deciding for very many is not cached past 1,000.
  if (cache.size < 1000) cache.set(key, g ?? null);
  return g;
}

function resolvePattern(pattern: string, facts: ConnectionFacts, ignoreCase: boolean, wildcards: boolean): Glob | undefined {
  const pieces: { text: string; wildcards: boolean }[] = [];
  let last = 0;
  for (const m of pattern.matchAll(VARIABLE)) {
    const value = resolveVariable(m[1], facts);
    if (value === undefined) return undefined;
    pieces.push({ text: pattern.slice(last, m.index), wildcards }, { text: value, wildcards: false });
    last = m.index! + m[0].length;
  }
  pieces.push({ text: pattern.slice(last), wildcards });
  return glob(pieces, ignoreCase);
}

// ------------------------------------------------------------------ conditions

type Matcher = (value: string, pattern: string, facts: ConnectionFacts) => boolean | undefined;

const exact =
  (ignoreCase: boolean): Matcher =>
  (value, pattern, facts) => {
    const g = patternGlob(pattern, facts, ignoreCase, false);
    return g && globMatches(g, value);
  };
const like: Matcher = (value, pattern, facts) => {
  const g = patternGlob(pattern, facts, false, true);
  return g && globMatches(g, value);
};

/** Operator (lower case) -> how one value is tested and whether the operator is a negation. */
const OPERATORS = new Map<string, { match: Matcher; negated: boolean }>([
  ['stringequals', { match: exact(false), negated: false }],
  ['stringnotequals', { match: exact(false), negated: true }],
  ['stringequalsignorecase', { match: exact(true), negated: false }],
  ['stringnotequalsignorecase', { match: exact(true), negated: true }],
  ['stringlike', { match: like, negated: false }],
  ['stringnotlike', { match: like, negated: true }],
  // ARNs: ArnEquals behaves as ArnLike in IAM (both take wildcards).
  ['arnequals', { match: like, negated: false }],
  ['arnlike', { match: like, negated: false }],
  ['arnnotequals', { match: like, negated: true }],
  ['arnnotlike', { match: like, negated: true }],
  ['bool', { match: exact(true), negated: false }],
]);

/** Whether the statement's Condition holds; undefined when it cannot be evaluated (unknown operator or key, unresolved variable, malformed block). */
function conditionHolds(condition: Record<string, unknown> | undefined, facts: ConnectionFacts): boolean | undefined {
  if (!condition) return true;
  let holds = true;
  for (const [op, block] of Object.entries(condition)) {
    const operator = OPERATORS.get(op.toLowerCase());
    if (!operator || !block || typeof block !== 'object' || Array.isArray(block)) return undefined;
    for (const [key, raw] of Object.entries(block)) {
      const actual = resolveVariable(key, facts);
      if (actual === undefined || key.includes('${')) return undefined;
      const values: unknown[] = Array.isArray(raw) ? raw : [raw];
      if (values.length === 0 || !values.every((v) => typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number')) return undefined;
      let any = false;
      for (const v of values) {
        const r = operator.match(actual, String(v), facts);
        if (r === undefined) return undefined;
        any ||= r;
      }
      if (operator.negated ? any : !any) holds = false;
    }
  }
  return holds;
}

// ------------------------------------------------------------------ decisions

/** Whether the statement applies to the request; undefined when it cannot be evaluated (it is then ignored). */
function statementMatches(st: PolicyStatement, action: string, resource: string, facts: ConnectionFacts): boolean | undefined {
  const actionHit = st.actions.some((p) => actionMatches(p, action));
  if (st.notAction ? actionHit : !actionHit) return false;
  let resourceHit = false;
  for (const p of st.resources) {
    const g = patternGlob(p, facts, false, true);
    if (!g) return undefined;
    resourceHit ||= globMatches(g, resource);
  }
  if (st.notResource ? resourceHit : !resourceHit) return false;
  return conditionHolds(st.condition, facts);
}

/** AWS's evaluation over all the policies that apply: an explicit Deny wins, else an Allow allows, else implicit deny. `resource` is the full ARN, e.g. arn:aws:iot:us-east-1:000000000000:topic/a/b, client/<id>, topicfilter/<filter>. */
export function decide(
  policies: readonly CompiledPolicy[],
  action: 'iot:Connect' | 'iot:Publish' | 'iot:RetainPublish' | 'iot:Subscribe' | 'iot:Receive' | string,
  resource: string,
  facts: ConnectionFacts,
): Decision {
  let allowed = false;
  for (const policy of policies) {
    for (const st of policy.statements) {
      if (st.effect === 'Allow' && allowed) continue;
      if (statementMatches(st, action, resource, facts) !== true) continue;
      if (st.effect === 'Deny') return 'EXPLICIT_DENY';
      allowed = true;
    }
  }
  return allowed ? 'ALLOW' : 'IMPLICIT_DENY';
}
