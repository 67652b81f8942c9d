import { actionMatches } from '../policy/wildcards.js';
import { parsePolicy, statementsOf, type PolicyStatement } from '../policy/statements.js';

export { parsePolicy, statementsOf, type PolicyStatement };

/**
 * What the two IoT policy audit checks decide about one policy document, as pure functions
 * (no database, no clock): which data-plane actions a policy grants on a broad set of devices
 * (IOT_POLICY_OVERLY_PERMISSIVE_CHECK) and which Deny statements probably do not deny what they
 * were written for (IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK).
 *
 * The model, in short (users need it too: it decides what gets reported):
 * - Resources are IoT policy globs: `*` is any run of characters (slashes included), `?` one
 *   character; MQTT's `+` and `#` are literal characters. Region and account are not looked at.
 * - "Broad" means: the grant reaches the resources of an arbitrary other device. We test that
 *   with probe resources named after a fresh thing no policy can mention (`PROBE`): a literal
 *   name (`thing/MyThing1`) or a prefix (`thing/MyThing*`) never matches it; `*` does.
 * - Policy variables resolve to one value per connection, so they pin a resource to the
 *   connecting device, except `${iot:ClientId}`, which the device chooses itself: it counts as
 *   `*` unless the same statement has the condition `Bool iot:Connection.Thing.IsAttached true`
 *   (AWS: "Unless iot:Connection.Thing.IsAttached is set to true ... this is equivalent to the
 *   wildcard *"). `${iot:Connection.Thing.ThingName}` only resolves for a thing attached to the
 *   principal, so it pins with or without that condition.
 * - Only Allow statements grant. A Deny without Condition takes a broad grant away when it
 *   denies the same action on every probe resource the grant reaches; conditional Denies are
 *   not counted (they may not apply). Other conditions on Allow statements are not evaluated.
 */

// ------------------------------------------------------------------ actions

/** The data-plane actions the overly-permissive rule judges, in the order reason texts list them (AWS's example order first). */
const BROAD_ACTION_ORDER = [
  'iot:Subscribe',
  'iot:Connect',
  'iot:GetThingShadow',
  'iot:DeleteThingShadow',
  'iot:UpdateThingShadow',
  'iot:Publish',
  'iot:DescribeJobExecution',
  'iot:GetPendingJobExecutions',
  'iot:StartNextPendingJobExecution',
  'iot:UpdateJobExecution',
] as const;

type DataPlaneAction = (typeof BROAD_ACTION_ORDER)[number] | 'iot:Receive' | 'iot:RetainPublish';

/** Every action an Action pattern is expanded against. */
const KNOWN_ACTIONS: readonly DataPlaneAction[] = [...BROAD_ACTION_ORDER, 'iot:Receive', 'iot:RetainPublish'];

/** Actions whose resources are MQTT topics or topic filters (where `+` and `#` mean something to devices). */
export const MQTT_ACTIONS: readonly DataPlaneAction[] = ['iot:Publish', 'iot:RetainPublish', 'iot:Subscribe', 'iot:Receive'];

// ------------------------------------------------------------------ statements

const patternMasks = new Map<string, number>();

/** The known actions one Action pattern covers, as a bit mask (patterns repeat: "iot:*", "iot:Connect"). */
function patternMask(pattern: string): number {
  let mask = patternMasks.get(pattern);
  if (mask === undefined) {
    mask = 0;
    for (let i = 0; i < KNOWN_ACTIONS.length; i++) if (actionMatches(pattern, KNOWN_ACTIONS[i])) mask |= 1 << i;
    if (patternMasks.size >= 10_000) patternMasks.clear();
    patternMasks.set(pattern, mask);
  }
  return mask;
}

function coverage(patterns: string[], notAction: boolean): number {
  let mask = 0;
  for (const p of patterns) mask |= patternMask(p);
  return notAction ? ~mask & ((1 << KNOWN_ACTIONS.length) - 1) : mask;
}

/** Bit i set: the statement covers KNOWN_ACTIONS[i] (worked out once per statement; checks ask many times). */
const coveredBits = new WeakMap<PolicyStatement, number>();

const ACTION_BIT = new Map(KNOWN_ACTIONS.map((a, i) => [a, 1 << i]));

/** Whether the statement's Action (or NotAction) covers the action. */
export function coversAction(st: PolicyStatement, action: string): boolean {
  const bit = ACTION_BIT.get(action as DataPlaneAction);
  if (bit !== undefined) {
    let covered = coveredBits.get(st);
    if (covered === undefined) coveredBits.set(st, (covered = coverage(st.actions, st.notAction)));
    return (covered & bit) !== 0;
  }
  const hit = st.actions.some((p) => actionMatches(p, action));
  return st.notAction ? !hit : hit;
}

/** How reason texts name a statement: its Sid, else its 1-based position. */
export const statementName = (st: PolicyStatement): string => (st.sid ? `"${st.sid}"` : `#${st.index + 1}`);

// ------------------------------------------------------------------ resource globs

// Compiled patterns are strings over the resource's own characters plus three markers, from the
// Unicode private use area (a policy never needs them).
const STAR = '\uE000';
const QMARK = '\uE001';
/** A policy variable pinned to the connecting device: one value that no probe resource has. */
const PINNED = '\uE002';

/** The fresh thing (and client id) name probes use. */
const PROBE = 'warden-probe-other-device';
/** Every probe is an ARN with this prefix; resources are normalised to the same region and account. */
export const ARN_PREFIX = 'arn:aws:iot:region:account:';

/**
 * A resource as a glob over `ARN_PREFIX + type/name`: region, account and partition are replaced
 * (a policy's own account is not what makes it broad), and the leading `/` some documents put
 * before the type (`account-id:/thing/MyThing1`, as on AWS's page) is dropped. Undefined when the
 * ARN names another service.
 */
export function normalise(resource: string): string | undefined {
  if (!resource.startsWith('arn:')) return resource;
  const segs = resource.split(':');
  if (segs.length >= 6) {
    if (segs[2] !== 'iot' && !actionMatches(segs[2], 'iot')) return undefined;
    const part = segs.slice(5).join(':');
    return ARN_PREFIX + (part.startsWith('/') ? part.slice(1) : part);
  }
  // A short ARN ends in a wildcard that spans the rest ("arn:aws:iot:*"): keep its last segment.
  const fixed = ['arn', 'aws', 'iot', 'region', 'account'];
  if (segs.length >= 3 && !actionMatches(segs[2], 'iot')) return undefined;
  return segs.map((s, i) => (i < segs.length - 1 ? fixed[i] : s)).join(':');
}

/** A compiled resource glob, with the answers it has given the fixed probes (templates repeat across a fleet). */
interface Glob {
  pattern: string;
  /** The literal characters before the first wildcard: most probes are told apart here. */
  head: string;
  wild: boolean;
  endsWithStar: boolean;
  /** The pattern is its literal head followed by stars only (`.../topic/dev/*`): no NFA needed. */
  headThenStars: boolean;
  memoSome?: Map<Probe, boolean>;
  memoAll?: Map<Probe, boolean>;
}

const globs = new Map<string, Glob | null>();
const GLOB_CACHE_LIMIT = 20_000;

/**
 * Compiles a resource: `*`/`?` become markers, `${*}`, `${?}`, `${$}` the literal characters, and
 * each other variable PINNED, or STAR for a free `${iot:ClientId}` when `freeClientId`.
 * Undefined for another service's ARN.
 */
function compile(resource: string, freeClientId: boolean): Glob | undefined {
  const key = (freeClientId ? '1' : '0') + resource;
  const cached = globs.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const r = normalise(resource);
  let glob: Glob | null = null;
  if (r !== undefined && !/[*?$]/.test(r)) {
    glob = { pattern: r, head: r, wild: false, endsWithStar: false, headThenStars: false };
  } else if (r !== undefined) {
    const out = r.replace(/\$\{([^}]*)\}|[*?]/g, (m: string, name: string | undefined) => {
      if (m === '*') return STAR;
      if (m === '?') return QMARK;
      if (name === '*' || name === '?' || name === '$') return name;
      return freeClientId && name!.toLowerCase() === 'iot:clientid' ? STAR : PINNED;
    });
    const firstWild = out.search(/[\uE000\uE001]/);
    const head = firstWild < 0 ? out : out.slice(0, firstWild);
    glob = { pattern: out, head, wild: firstWild >= 0, endsWithStar: out.endsWith(STAR), headThenStars: firstWild >= 0 && /^\uE000+$/.test(out.slice(firstWild)) };
  }
  if (globs.size >= GLOB_CACHE_LIMIT) globs.clear();
  globs.set(key, glob);
  return glob ?? undefined;
}

/**
 * Reads `text` with the glob (an NFA over pattern positions; a star also matches nothing) and
 * answers whether the whole pattern can end there (`full`) and whether any position is still
 * alive (some continuation of `text` may match).
 */
function run(g: Glob, text: string): { full: boolean; alive: boolean } {
  const p = g.pattern;
  const m = p.length;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  const close = (s: Uint8Array) => {
    for (let i = 0; i < m; i++) if (s[i] && p[i] === STAR) s[i + 1] = 1;
  };
  cur[0] = 1;
  close(cur);
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    next.fill(0);
    let alive = false;
    for (let i = 0; i < m; i++) {
      if (!cur[i]) continue;
      const pc = p[i];
      if (pc === STAR) next[i] = 1;
      else if (pc === QMARK || pc === ch) next[i + 1] = 1;
      else continue;
      alive = true;
    }
    if (!alive) return { full: false, alive: false };
    close(next);
    [cur, next] = [next, cur];
  }
  return { full: cur[m] === 1, alive: true };
}

/** A probe: one resource (`prefix` false) or every resource that starts with `text` (`prefix` true). */
interface Probe {
  text: string;
  prefix: boolean;
  /** ARN_PREFIX + text. */
  arn: string;
  /** Fixed probes remember each glob's answer; one-off probes do not (the memo would only grow). */
  fixed: boolean;
}

export const probe = (text: string, prefix: boolean, fixed = true): Probe => ({ text, prefix, arn: ARN_PREFIX + text, fixed });

/**
 * `all` false: the glob matches the probe resource, or (prefix probe) at least one resource with
 * that prefix. `all` true: it matches the probe resource, or (prefix probe) every resource with
 * that prefix, which is when the pattern ends in a star and matches the prefix itself (the star
 * takes the rest).
 */
function answer(g: Glob, pr: Probe, all: boolean): boolean {
  const text = pr.arn;
  // Told apart by the literal head (the resource type, mostly): no memo needed.
  if (text.length >= g.head.length ? !text.startsWith(g.head) : !g.head.startsWith(text)) return false;
  if (!g.wild) return pr.prefix ? !all && g.pattern.startsWith(text) : g.pattern === text;
  // Head then stars: any text that gets past the head matches in full once it is as long as the head.
  if (g.headThenStars) return pr.prefix && !all ? true : text.length >= g.head.length;
  const memo = pr.fixed ? (all ? (g.memoAll ??= new Map()) : (g.memoSome ??= new Map())) : undefined;
  const known = memo?.get(pr);
  if (known !== undefined) return known;
  const r = run(g, text);
  const result = !pr.prefix ? r.full : all ? g.endsWithStar && r.full : r.alive;
  memo?.set(pr, result);
  return result;
}

/** The statement's resources compiled for each use, once per statement. */
interface StatementGlobs {
  /** As an Allow grants them (a free `${iot:ClientId}` is a star unless IsAttached). */
  grant?: (Glob | undefined)[];
  /** Every variable pinned: a Deny's resources, an Allow's NotResource exclusions. */
  pinned?: (Glob | undefined)[];
  /** Every `${iot:ClientId}` a star: a Deny's NotResource exceptions. */
  free?: (Glob | undefined)[];
}
/** Each statement's resources compiled, filled in on first use. */
const statementGlobs = new WeakMap<PolicyStatement, StatementGlobs>();

function globsOf(st: PolicyStatement, mode: keyof StatementGlobs): (Glob | undefined)[] {
  let c = statementGlobs.get(st);
  if (!c) statementGlobs.set(st, (c = {}));
  return (c[mode] ??= st.resources.map((r) => compile(r, mode === 'free' || (mode === 'grant' && !st.isAttached))));
}

/** The statement grants (Allow) at least one resource of the probe. */
export function reachesSome(st: PolicyStatement, pr: Probe): boolean {
  // NotResource: everything but the listed resources, so the probe is reached unless the exclusions cover it all.
  if (st.notResource) return !globsOf(st, 'pinned').some((g) => g !== undefined && answer(g, pr, true));
  return globsOf(st, 'grant').some((g) => g !== undefined && answer(g, pr, false));
}

/** The statement (a Deny) names every resource of the probe. A variable in a Deny names one value, never another device's. */
export function reachesAll(st: PolicyStatement, pr: Probe): boolean {
  if (st.notResource) return !globsOf(st, 'free').some((g) => g !== undefined && answer(g, pr, false));
  return globsOf(st, 'pinned').some((g) => g !== undefined && answer(g, pr, true));
}

// ------------------------------------------------------------------ overly permissive

const THING_PROBES: Probe[] = [probe(`thing/${PROBE}`, false), probe(`thing/${PROBE}/`, true)];

/**
 * Per action, the resources of "another device" a broad grant reaches:
 * - Connect: any client id (`client/*`, or a free `${iot:ClientId}`).
 * - Publish: another thing's reserved topics (`$aws/things/<other>/...`).
 * - Subscribe: a topic filter that covers another thing's reserved topics: the name itself, or
 *   the MQTT wildcards `+`/`#` at the thing-name level or above (a policy matches them as
 *   literal characters, so allowing the filter `$aws/things/+/shadow/update` lets a device
 *   subscribe to exactly that wildcard filter). Filters that start with a wildcard do not match
 *   `$` topics in MQTT, so `#` alone is not one of them.
 * - Shadow and job actions: any thing (`thing/*`), named shadows included.
 * - Receive: none; "the device can only receive messages from topics on which it has permission to subscribe".
 */
const BROAD_PROBES: Readonly<Record<(typeof BROAD_ACTION_ORDER)[number], readonly Probe[]>> = {
  'iot:Connect': [probe(`client/${PROBE}`, false)],
  'iot:Publish': [probe(`topic/$aws/things/${PROBE}/`, true)],
  'iot:Subscribe': [
    probe(`topicfilter/$aws/things/${PROBE}/`, true),
    probe('topicfilter/$aws/things/+/', true),
    probe('topicfilter/$aws/things/#', false),
    probe(`topicfilter/$aws/+/${PROBE}/`, true),
    probe('topicfilter/$aws/+/+/', true),
    probe('topicfilter/$aws/+/#', false),
    probe('topicfilter/$aws/#', false),
  ],
  'iot:GetThingShadow': THING_PROBES,
  'iot:DeleteThingShadow': THING_PROBES,
  'iot:UpdateThingShadow': THING_PROBES,
  'iot:DescribeJobExecution': THING_PROBES,
  'iot:GetPendingJobExecutions': THING_PROBES,
  'iot:StartNextPendingJobExecution': THING_PROBES,
  'iot:UpdateJobExecution': THING_PROBES,
};

/** The data-plane actions the policy grants on a broad set of devices, in BROAD_ACTION_ORDER. */
export function broadActions(statements: PolicyStatement[]): string[] {
  const out: string[] = [];
  for (const action of BROAD_ACTION_ORDER) {
    if (!statements.some((s) => s.effect === 'Allow' && coversAction(s, action))) continue;
    const granted = (pr: Probe) => statements.some((s) => s.effect === 'Allow' && coversAction(s, action) && reachesSome(s, pr));
    const denied = (pr: Probe) => statements.some((s) => s.effect === 'Deny' && !s.conditional && coversAction(s, action) && reachesAll(s, pr));
    if (BROAD_PROBES[action].some((pr) => granted(pr) && !denied(pr))) out.push(action);
  }
  return out;
}

/** AWS's wording: "Policy allows broad access to IoT data plane actions: [iot:Subscribe, iot:Connect]." */
export const broadActionsReason = (actions: string[]): string => `Policy allows broad access to IoT data plane actions: [${actions.join(', ')}].`;
