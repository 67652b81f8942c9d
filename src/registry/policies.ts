import { randomBytes } from 'node:crypto';
import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';
import { DeleteConflictException, InvalidRequestException, LimitExceededException, MalformedPolicyException, ResourceNotFoundException } from '../generated/errors.js';
import type { PolicyRecord } from '../store/policies.js';
import type { ResourceKind } from '../store/policy-lookups.js';
import type { Repos } from '../store/repos.js';
import type { StoreTx } from '../store/store.js';
import { iotArn } from './arn.js';
import { awsError } from './aws-messages.js';
import { policiesChanged } from './policy-events.js';

/** AWS: "A managed policy can have up to five versions." */
export const MAX_POLICY_VERSIONS = 5;
/** AWS IoT quota: at most 10 policies attached to one certificate, Cognito identity or thing group. */
export const MAX_POLICIES_PER_TARGET = 10;
/** AWS: policyDocument is at most 2048 characters, not counting whitespace. */
export const MAX_DOCUMENT_CHARS = 2048;
/** The lock every policy writer takes, so limit and conflict checks see a settled state. */
export const POLICY_LOCK = 'policies';

/** Scope with the clock of its caller (the request's, or the engine's). */
export type PolicyScope = Scope & { readonly clock: Clock };

const nowOf = (scope: PolicyScope): Date => scope.clock.now();
const newGenerationId = (): string => randomBytes(32).toString('hex');

export const policyArn = (scope: Scope, name: string): string => iotArn(scope, `policy/${name}`);

// ---------------------------------------------------------------- documents

const POLICY_LANGUAGE_VERSIONS = ['2012-10-17', '2008-10-17'];
const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

const isStringOrStrings = (v: unknown): boolean =>
  typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'));

/** One statement's grammar; returns what is wrong or undefined. */
function statementProblem(s: unknown, where: string): string | undefined {
  if (!s || typeof s !== 'object' || Array.isArray(s)) return `${where} must be a JSON object`;
  const st = s as Record<string, unknown>;
  const unknown = Object.keys(st).filter((k) => !STATEMENT_KEYS.has(k));
  if (unknown.length) return `${where} has unsupported element ${unknown.join(', ')}`;
  if (st.Effect !== 'Allow' && st.Effect !== 'Deny') return `${where}.Effect must be "Allow" or "Deny"`;
  for (const [a, b] of [['Action', 'NotAction'], ['Resource', 'NotResource']]) {
    if ((st[a] === undefined) === (st[b] === undefined)) return `${where} must have exactly one of ${a} and ${b}`;
    const key = st[a] !== undefined ? a : b;
    if (!isStringOrStrings(st[key])) return `${where}.${key} must be a string or a non-empty array of strings`;
  }
  if (st.Sid !== undefined && typeof st.Sid !== 'string') return `${where}.Sid must be a string`;
  if (st.Condition !== undefined && (!st.Condition || typeof st.Condition !== 'object' || Array.isArray(st.Condition))) return `${where}.Condition must be a JSON object`;
  return undefined;
}

/**
 * The policy grammar AWS IoT enforces: JSON object, Version, Statement (object or non-empty array)
 * whose statements have Effect Allow|Deny, Action and Resource (string or array). Anything else is
 * MalformedPolicyException naming the problem.
 */
export function validatePolicyDocument(document: string): void {
  const chars = document.replace(/\s/g, '').length;
  if (chars === 0) throw new MalformedPolicyException('The policy document is empty.');
  if (chars > MAX_DOCUMENT_CHARS) {
    throw new MalformedPolicyException(`The policy document has ${chars} characters excluding whitespace; the maximum is ${MAX_DOCUMENT_CHARS}.`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch (e) {
    throw new MalformedPolicyException(`The policy document is not valid JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new MalformedPolicyException('The policy document must be a JSON object.');
  const d = doc as Record<string, unknown>;
  const unknown = Object.keys(d).filter((k) => !TOP_LEVEL.has(k));
  if (unknown.length) throw new MalformedPolicyException(`The policy document has unsupported element ${unknown.join(', ')}.`);
  if (d.Version === undefined) throw new MalformedPolicyException('The policy document has no Version; use "2012-10-17".');
  if (typeof d.Version !== 'string' || !POLICY_LANGUAGE_VERSIONS.includes(d.Version)) {
    throw new MalformedPolicyException(`The policy document Version ${JSON.stringify(d.Version)} is not supported; use "2012-10-17".`);
  }
  if (d.Statement === undefined) throw new MalformedPolicyException('The policy document has no Statement.');
  const statements = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
  if (statements.length === 0) throw new MalformedPolicyException('The policy document Statement is an empty list.');
  statements.forEach((s, i) => {
    const problem = statementProblem(s, Array.isArray(d.Statement) ? `Statement[${i}]` : 'Statement');
    if (problem) throw new MalformedPolicyException(`The policy document is malformed: ${problem}.`);
  });
}

// ---------------------------------------------------------------- policies and versions

/** The policy, or ResourceNotFoundException naming it. */
export async function requirePolicy(db: Repos, scope: Scope, name: string): Promise<PolicyRecord> {
  const p = await db.policies.get(scope, name);
  if (!p) throw new ResourceNotFoundException(`Policy ${name} does not exist.`);
  return p;
}

/** A version id from the request as a number; an id that cannot exist answers ResourceNotFound. */
export function versionNumber(policyName: string, versionId: string): number {
  const n = Number(versionId);
  if (!Number.isSafeInteger(n) || n < 1) throw new ResourceNotFoundException(`Policy ${policyName} has no version ${versionId}.`);
  return n;
}

/** CreatePolicy: the document becomes version 1, the default. */
export async function createPolicy(
  tx: StoreTx,
  scope: PolicyScope,
  input: { policyName: string; document: string; tags?: { Key: string; Value?: string }[] },
): Promise<PolicyRecord> {
  validatePolicyDocument(input.document);
  await tx.lock(scope, POLICY_LOCK);
  const arn = policyArn(scope, input.policyName);
  if (await tx.policies.get(scope, input.policyName)) {
    throw awsError('policyNameTaken', { policyName: input.policyName }, { resourceId: input.policyName, resourceArn: arn });
  }
  const now = nowOf(scope);
  const rec: PolicyRecord = { name: input.policyName, arn, defaultVersionId: '1', lastVersionId: 1, generationId: newGenerationId(), createdAt: now, modifiedAt: now };
  await tx.policies.insert(scope, rec);
  await tx.policies.insertVersion(scope, rec.name, { versionId: '1', document: input.document, createdAt: now });
  if (input.tags?.length) await tx.tags.put(scope, arn, input.tags);
  return rec;
}

/**
 * CreatePolicyVersion with every rule: the policy exists, the document is valid, at most five
 * versions (VersionsLimitExceededException; no version is ever deleted to make room), ids
 * increase and are never reused; `setAsDefault` makes the new version operative.
 */
export async function createPolicyVersion(
  tx: StoreTx,
  scope: PolicyScope,
  input: { policyName: string; document: string; setAsDefault?: boolean },
): Promise<{ versionId: string; policyArn: string; isDefaultVersion: boolean }> {
  validatePolicyDocument(input.document);
  await tx.lock(scope, POLICY_LOCK);
  const p = await requirePolicy(tx, scope, input.policyName);
  const count = (await tx.policies.listVersions(scope, p.name)).length;
  if (count >= MAX_POLICY_VERSIONS) throw awsError('policyVersionsLimit', { policyName: p.name });
  const now = nowOf(scope);
  const id = p.lastVersionId + 1;
  await tx.policies.insertVersion(scope, p.name, { versionId: String(id), document: input.document, createdAt: now });
  const isDefaultVersion = input.setAsDefault === true;
  if (isDefaultVersion) policiesChanged(scope);
  await tx.policies.update(scope, {
    ...p,
    lastVersionId: id,
    defaultVersionId: isDefaultVersion ? String(id) : p.defaultVersionId,
    generationId: newGenerationId(),
    modifiedAt: now,
  });
  return { versionId: String(id), policyArn: p.arn, isDefaultVersion };
}

/** SetDefaultPolicyVersion: the version must exist. */
export async function setDefaultPolicyVersion(tx: StoreTx, scope: PolicyScope, policyName: string, versionId: string): Promise<void> {
  await tx.lock(scope, POLICY_LOCK);
  const p = await requirePolicy(tx, scope, policyName);
  const n = versionNumber(policyName, versionId);
  if (!(await tx.policies.getVersion(scope, policyName, n))) throw new ResourceNotFoundException(`Policy ${policyName} has no version ${versionId}.`);
  if (p.defaultVersionId === String(n)) return;
  await tx.policies.update(scope, { ...p, defaultVersionId: String(n), generationId: newGenerationId(), modifiedAt: nowOf(scope) });
  policiesChanged(scope);
}

/** DeletePolicyVersion: never the default version (DeleteConflictException). */
export async function deletePolicyVersion(tx: StoreTx, scope: PolicyScope, policyName: string, versionId: string): Promise<void> {
  await tx.lock(scope, POLICY_LOCK);
  const p = await requirePolicy(tx, scope, policyName);
  const n = versionNumber(policyName, versionId);
  if (p.defaultVersionId === String(n)) {
    throw new DeleteConflictException(`Version ${versionId} is the default version of policy ${policyName}; set another version as the default before deleting it.`);
  }
  if (!(await tx.policies.deleteVersion(scope, policyName, n))) throw new ResourceNotFoundException(`Policy ${policyName} has no version ${versionId}.`);
  await tx.policies.update(scope, { ...p, generationId: newGenerationId(), modifiedAt: nowOf(scope) });
}

/** DeletePolicy: refused while the policy is attached to any target or has versions besides the default (AWS's texts). */
export async function deletePolicy(tx: StoreTx, scope: PolicyScope, policyName: string): Promise<void> {
  await tx.lock(scope, POLICY_LOCK);
  const p = await requirePolicy(tx, scope, policyName);
  const attached = await tx.policyTargets.countForPolicy(scope, policyName);
  if (attached > 0) throw awsError('policyAttached', { policyName });
  const others = (await tx.policies.listVersions(scope, policyName)).filter((v) => v.versionId !== p.defaultVersionId);
  if (others.length > 0) throw awsError('policyHasVersions', {});
  await tx.policies.delete(scope, policyName);
  await tx.tags.removeAll(scope, p.arn);
}

// ---------------------------------------------------------------- targets

export type PolicyTargetKind = 'certificate' | 'thinggroup' | 'cognito';

export interface ResolvedTarget {
  kind: PolicyTargetKind;
  /** The target as stored in policy_targets (the ARN, or the Cognito identity id). */
  target: string;
  /** For a thing group, its name. */
  groupName?: string;
}

const COGNITO_IDENTITY = /^[a-z]{2}(-[a-z]+)+-\d+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TARGET_ARN = /^arn:aws[a-z-]*:iot:([^:]+):(\d{12}):(cert|thinggroup)\/(.+)$/;
const KIND_OF: Record<'cert' | 'thinggroup', ResourceKind> = { cert: 'certificate', thinggroup: 'thingGroup' };

/**
 * A policy target or principal: a certificate ARN, a thing group ARN (both must exist in this
 * account and region: ResourceNotFoundException), or a Cognito identity id (accepted as is).
 * Anything else is InvalidRequestException.
 */
export async function resolveTarget(db: Repos, scope: Scope, target: string, member = 'target'): Promise<ResolvedTarget> {
  if (COGNITO_IDENTITY.test(target)) return { kind: 'cognito', target };
  const m = TARGET_ARN.exec(target);
  if (!m) {
    throw new InvalidRequestException(`The ${member} ${target} is not a certificate ARN, a thing group ARN or an Amazon Cognito identity id.`);
  }
  const [, region, account, type, key] = m;
  const what = type === 'cert' ? 'Certificate' : 'Thing group';
  if (region !== scope.region || account !== scope.accountId || !(await db.registryLookups.exists(scope, KIND_OF[type as 'cert' | 'thinggroup'], key))) {
    throw new ResourceNotFoundException(`${what} ${target} does not exist.`);
  }
  const canonical = iotArn(scope, `${type}/${key}`);
  return type === 'cert' ? { kind: 'certificate', target: canonical } : { kind: 'thinggroup', target: canonical, groupName: key };
}

/** AttachPolicy: policy and target exist, at most ten policies per target; attaching twice is a no-op. */
export async function attachPolicy(tx: StoreTx, scope: PolicyScope, policyName: string, target: string): Promise<void> {
  await tx.lock(scope, POLICY_LOCK);
  await requirePolicy(tx, scope, policyName);
  const t = await resolveTarget(tx, scope, target);
  if (await tx.policyTargets.isAttached(scope, policyName, t.target)) return;
  if ((await tx.policyTargets.countForTarget(scope, t.target)) >= MAX_POLICIES_PER_TARGET) {
    throw new LimitExceededException(`${target} already has ${MAX_POLICIES_PER_TARGET} policies attached, the most AWS IoT allows.`);
  }
  await tx.policyTargets.attach(scope, policyName, t.target, nowOf(scope));
  policiesChanged(scope);
}

/**
 * DetachPolicy: removes the attachment if there is one. The target string is matched as stored
 * (ARNs are canonical), so a target that no longer exists can still be detached.
 */
export async function detachPolicy(tx: StoreTx, scope: PolicyScope, policyName: string, target: string): Promise<boolean> {
  await tx.lock(scope, POLICY_LOCK);
  const detached = await tx.policyTargets.detach(scope, policyName, target);
  if (detached) policiesChanged(scope);
  return detached;
}

/**
 * Every target whose policies apply to `t`: the target itself and, for a thing group when
 * `recursive`, its ancestors up the hierarchy.
 */
export async function targetChain(db: Repos, scope: Scope, t: ResolvedTarget, recursive: boolean): Promise<string[]> {
  if (t.kind !== 'thinggroup' || !recursive) return [t.target];
  const groups = await db.registryLookups.groupsWithAncestors(scope, { groups: [t.groupName!] });
  return groups.map((g) => g.arn);
}
