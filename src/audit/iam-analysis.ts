import { operationNames } from '../generated/service.js';
import { parsePolicyDocument, type Statement } from './iam-policy.js';
import { broadActions, parsePolicy, statementsOf, type PolicyStatement } from './policy-analysis.js';
import { actionMatches, wildcard } from '../policy/wildcards.js';

/**
 * What an IAM role's permission policies allow, judged the way the role-alias audit checks
 * describe it (SEMANTICS.md section 2; the Cognito rows give the thing-admin lists, 2.1 the
 * data-plane rules). Pure functions over parsed policy documents: no database, no clock.
 *
 * Data-plane broadness is the IoT policy rule of src/audit/policy-analysis.ts (one meaning of
 * ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS for both checks). For the rest, the
 * approximations are all on the side of reporting: Condition blocks are not evaluated (a
 * statement counts as granting what its Action and Resource say); a Deny only takes a permission
 * away when it has no Condition and its Resource patterns cover the allowed resource; NotAction /
 * NotResource in an Allow grant everything not listed.
 */

export type RoleReasonCode =
  | 'ALLOWS_BROAD_ACCESS_TO_USED_SERVICES'
  | 'ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES'
  | 'ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS'
  | 'ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS'
  | 'ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS'
  | 'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS';

/** The order findings and reasons are reported in (most damaging first). */
const ROLE_REASON_ORDER: readonly RoleReasonCode[] = [
  'ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES',
  'ALLOWS_BROAD_ACCESS_TO_USED_SERVICES',
  'ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS',
  'ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS',
  'ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS',
  'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS',
];


/** Security auditing services AWS names ("iam", "cloudtrail", "guardduty", "inspector", "trustedadvisor"); inspector2 is Inspector's current prefix. */
const SECURITY_AUDITING_SERVICES = ['iam', 'cloudtrail', 'guardduty', 'inspector', 'inspector2', 'trustedadvisor'] as const;

/** Thing-management actions: non-compliant even on a single thing. */
const THING_ADMIN_WRITE_ACTIONS = [
  'AddThingToThingGroup',
  'AttachThingPrincipal',
  'CreateThing',
  'DeleteThing',
  'DetachThingPrincipal',
  'ListThings',
  'ListThingsInThingGroup',
  'RegisterThing',
  'RemoveThingFromThingGroup',
  'UpdateThing',
  'UpdateThingGroupsForThing',
] as const;

/** Thing-admin reads: non-compliant only on a broad set of things. */
const THING_ADMIN_READ_ACTIONS = ['DescribeThing', 'ListJobExecutionsForThing', 'ListThingGroupsForThing', 'ListThingPrincipals'] as const;

/**
 * Data-plane actions (MQTT, shadows, jobs, retained messages, the credentials provider): never
 * admin actions. Whether they are granted too broadly is src/audit/policy-analysis.ts's rule
 * (SEMANTICS 2.1), shared with IOT_POLICY_OVERLY_PERMISSIVE_CHECK.
 */
const DATA_PLANE = [
  'Connect',
  'DeleteConnection',
  'Publish',
  'RetainPublish',
  'Subscribe',
  'Receive',
  'GetRetainedMessage',
  'ListRetainedMessages',
  'AssumeRoleWithCertificate',
  'GetThingShadow',
  'UpdateThingShadow',
  'DeleteThingShadow',
  'ListNamedShadowsForThing',
  'DescribeJobExecution',
  'GetPendingJobExecutions',
  'StartNextPendingJobExecution',
  'UpdateJobExecution',
];

const WRITE = new Set<string>(THING_ADMIN_WRITE_ACTIONS.map((a) => a.toLowerCase()));
const READ = new Set<string>(THING_ADMIN_READ_ACTIONS.map((a) => a.toLowerCase()));
const DATA = new Set(DATA_PLANE.map((a) => a.toLowerCase()));

/** Every IoT action name Warden knows: the control plane (the model's operations) and the data plane. */
const KNOWN_IOT_ACTIONS: readonly string[] = [...new Set([...operationNames, ...DATA_PLANE])].sort();

// ---------------------------------------------------------------------------------------------
// Matching


/** Whether a statement's Action (or NotAction) covers `action` ("service:Name"). */
function coversAction(st: Statement, action: string): boolean {
  const hit = st.actions.some((p) => actionMatches(p, action));
  return st.notAction ? !hit : hit;
}

/** Whether a statement's action list can reach any action of `service`. */
function reachesService(st: Statement, service: string): boolean {
  if (st.notAction) {
    // NotAction leaves the service reachable unless it excludes the whole service.
    return !st.actions.some((p) => p === '*' || wildcard(p, true).test(`${service}:*`));
  }
  return st.actions.some((p) => {
    if (p === '*') return true;
    return wildcard(p.slice(0, p.indexOf(':')), true).test(service);
  });
}

/** A Deny without Condition that covers the whole of `service` on every resource. */
function serviceDenied(stmts: readonly Statement[], service: string): boolean {
  return stmts.some(
    (d) =>
      d.effect === 'Deny' &&
      !d.condition &&
      !d.notResource &&
      d.resources.includes('*') &&
      (d.notAction ? false : d.actions.some((p) => p === '*' || p.toLowerCase() === `${service}:*`)),
  );
}

/** A Deny without Condition that covers `action` on `resource` (the allowed pattern, read literally). */
function denied(stmts: readonly Statement[], action: string, resource: string): boolean {
  return stmts.some(
    (d) => d.effect === 'Deny' && !d.condition && !d.notResource && coversAction(d, action) && d.resources.some((p) => wildcard(p, false).test(resource)),
  );
}

/** The allowed resources of a statement; NotResource allows everything not listed, read as "*". */
const allowedResources = (st: Statement): string[] => (st.notResource ? ['*'] : st.resources);

/**
 * Whether a resource pattern reaches an arbitrary name under `prefix` (e.g. "thing/"): it must
 * match two unrelated made-up names, so `thing/*` and `*` are broad while `thing/MyThing*` or
 * `thing/${credentials-iot:ThingName}` are not.
 */
function reachesAnyName(pattern: string, prefix: string): boolean {
  const re = wildcard(pattern, false);
  const arn = arnPrefix(pattern);
  if (arn === null) return false;
  return re.test(`${arn}${prefix}\u0001`) && re.test(`${arn}${prefix}\u0002\u0003`);
}

/**
 * The "arn:partition:iot:region:account:" of a pattern when it spells one out, else a made-up
 * IoT one; null when the pattern names another service's resources (never an IoT resource).
 */
function arnPrefix(pattern: string): string | null {
  const parts = pattern.split(':');
  if (parts.length >= 6 && parts[0] === 'arn' && !/[*?]/.test(parts[2]) && parts[2] !== 'iot') return null;
  if (parts.length >= 6 && parts[0] === 'arn' && !parts.slice(1, 5).some((p) => /[*?]/.test(p))) return `${parts.slice(0, 5).join(':')}:`;
  return 'arn:aws:iot:us-east-1:123456789012:';
}

/** A resource that is not scoped at all: "*", NotResource, or an ARN whose resource part is only a wildcard (optionally after a type). */
function broadResource(pattern: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return pattern.endsWith(':*');
  const rest = parts.slice(5).join(':');
  return /^(?:[A-Za-z0-9_-]+[/:])?\*$/.test(rest);
}

// ---------------------------------------------------------------------------------------------
// Verdicts

/** A role's permission policies, parsed: every statement of every document (a Deny in one applies to all). */
interface RolePolicies {
  statements: Statement[];
  /** The same statements as the IoT policy rules read them (data-plane broadness). */
  iot: PolicyStatement[];
}

/** Parses a role's stored documents (validated when registered). */
export function parseRole(documents: readonly unknown[]): RolePolicies {
  const statements: Statement[] = [];
  const iot: PolicyStatement[] = [];
  for (const d of documents) {
    statements.push(...parsePolicyDocument(d));
    iot.push(...((typeof d === 'string' ? parsePolicy(d) : statementsOf(d)) ?? []));
  }
  return { statements, iot };
}

interface RoleVerdict {
  code: RoleReasonCode;
  /** What the role grants that earned the code: actions ("iot:CreateThing", "s3:*") or services ("iam"). */
  grants: string[];
}

/** Lower-cased service prefixes used in the last year. */
type UsedServices = ReadonlySet<string>;

/**
 * The overly-permissive verdicts for one role (empty when compliant), in ROLE_REASON_ORDER.
 * `used`: the services the role alias's credentials used in the past year.
 */
export function overlyPermissive(role: RolePolicies, used: UsedServices): RoleVerdict[] {
  const stmts = role.statements;
  const found = new Map<RoleReasonCode, Set<string>>();
  const add = (code: RoleReasonCode, what: string) => {
    let s = found.get(code);
    if (!s) found.set(code, (s = new Set()));
    s.add(what);
  };

  for (const st of stmts) {
    if (st.effect !== 'Allow') continue;
    const resources = allowedResources(st);

    // Security auditing services: any action, any resource.
    for (const svc of SECURITY_AUDITING_SERVICES) {
      if (reachesService(st, svc) && !serviceDenied(stmts, svc)) add('ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES', svc);
    }

    // Administrative ("svc:*", "*", NotAction) access on an unscoped resource to a service in use.
    if (resources.some(broadResource)) {
      for (const svc of used) {
        const admin = st.notAction ? reachesService(st, svc) : st.actions.some((p) => p === '*' || p.toLowerCase() === `${svc}:*`);
        if (admin && !serviceDenied(stmts, svc)) add('ALLOWS_BROAD_ACCESS_TO_USED_SERVICES', `${svc}:*`);
      }
    }

    // IoT actions, one by one.
    if (!reachesService(st, 'iot')) continue;
    const actions = KNOWN_IOT_ACTIONS.filter((a) => coversAction(st, `iot:${a}`));
    if (!st.notAction) {
      // Concrete IoT actions Warden does not know are admin actions all the same.
      for (const p of st.actions) {
        const [svc, name] = p.split(':');
        if (svc?.toLowerCase() === 'iot' && name && !/[*?]/.test(name) && !actions.some((a) => a.toLowerCase() === name.toLowerCase())) actions.push(name);
      }
    }
    for (const name of actions) {
      const action = `iot:${name}`;
      const lower = name.toLowerCase();
      for (const r of resources) {
        if (denied(stmts, action, r)) continue;
        if (WRITE.has(lower)) add('ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS', action);
        else if (READ.has(lower)) {
          if (reachesAnyName(r, 'thing/')) add('ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS', action);
        } else if (!DATA.has(lower)) add('ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS', action);
      }
    }
  }
  for (const action of broadActions(role.iot)) add('ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS', action);
  return ROLE_REASON_ORDER.filter((c) => found.has(c)).map((code) => {
    const grants = [...found.get(code)!];
    // Data-plane actions keep the IoT policy check's order (AWS's example order); the rest sort.
    return { code, grants: code === 'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS' ? grants : grants.sort() };
  });
}

/**
 * The services the role grants (lower-cased prefixes, sorted), or '*' when it grants every
 * service ("*" actions, a wildcard in a service prefix, or NotAction).
 */
export function grantedServices(role: RolePolicies): string[] | '*' {
  const stmts = role.statements;
  const services = new Set<string>();
  for (const st of stmts) {
    if (st.effect !== 'Allow') continue;
    if (st.notAction) return '*';
    for (const p of st.actions) {
      if (p === '*') return '*';
      const svc = p.slice(0, p.indexOf(':')).toLowerCase();
      if (/[*?]/.test(svc)) return '*';
      services.add(svc);
    }
  }
  return [...services].filter((s) => !serviceDenied(stmts, s)).sort();
}

/**
 * Services the role grants that were not used in the past year: sorted prefixes, ['*'] when the
 * role grants every service, [] when compliant.
 */
export function unusedServices(role: RolePolicies, used: UsedServices): string[] {
  const granted = grantedServices(role);
  if (granted === '*') return ['*'];
  return granted.filter((s) => !used.has(s));
}

interface ServiceUse {
  service: string;
  /** Epoch milliseconds; absent: used, when unknown (counted as recent). */
  lastUsed?: number;
}

export const YEAR_MS = 365 * 24 * 3600_000;

/** The services used in the year before `now` (lower-cased). */
export function usedInLastYear(uses: readonly ServiceUse[], now: Date): Set<string> {
  const since = now.getTime() - YEAR_MS;
  return new Set(uses.filter((u) => u.lastUsed === undefined || u.lastUsed >= since).map((u) => u.service.toLowerCase()));
}

const SHOWN = 10;

/** "[a, b, c]" with at most ten entries ("..., and 3 more"). */
export function listText(items: readonly string[]): string {
  const head = items.slice(0, SHOWN).join(', ');
  return items.length > SHOWN ? `[${head}, and ${items.length - SHOWN} more]` : `[${head}]`;
}

const REASON_TEXT: Record<RoleReasonCode, string> = {
  ALLOWS_BROAD_ACCESS_TO_USED_SERVICES: 'Role allows administrative access to services used in the past year',
  ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES: 'Role allows access to security auditing services',
  ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS: 'Role allows broad access to IoT thing admin read actions',
  ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS: 'Role allows access to IoT non-thing admin actions',
  ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS: 'Role allows access to IoT thing admin write actions',
  ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS: 'Role allows broad access to IoT data plane actions',
};

export const verdictText = (v: RoleVerdict): string => `${REASON_TEXT[v.code]}: ${listText(v.grants)}.`;

/** The errorCode of a role-alias check that met aliases whose role Warden was not told about. */
export const ROLE_NOT_REGISTERED = 'ROLE_NOT_REGISTERED';

/** auditDetails.message for role aliases that could not be checked (at most twenty named). */
export function notRegisteredMessage(aliases: readonly { alias: string; roleArn: string }[]): string {
  const named = aliases.slice(0, 20).map((a) => `${a.alias} (${a.roleArn})`);
  const more = aliases.length > 20 ? `, and ${aliases.length - 20} more` : '';
  return (
    `${aliases.length} role alias${aliases.length === 1 ? '' : 'es'} not checked: Warden does not know the IAM role ` +
    `(register it with POST /_warden/iam-roles): ${named.join(', ')}${more}.`
  );
}
