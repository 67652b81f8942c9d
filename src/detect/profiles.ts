import type { Scope } from '../base/scope.js';
import { InvalidRequestException, LimitExceededException, ResourceAlreadyExistsException, ResourceNotFoundException, VersionConflictException } from '../generated/errors.js';
import type {
  AlertTargets,
  Behavior,
  CreateSecurityProfileRequest,
  DescribeSecurityProfileResponse,
  MetricsExportConfig,
  MetricToRetain,
  UpdateSecurityProfileRequest,
} from '../generated/shapes.js';
import { iotArn } from '../registry/arn.js';
import { checkNewTags } from '../registry/resources.js';
import type { ClockedScope } from '../registry/things.js';
import type { ProfileUse, SecurityProfileRecord } from '../store/security-profiles.js';
import type { Repos, StoreTx } from '../store/store.js';
import { definedMetrics, validateBehaviors, validateMetricsToRetain, type BehaviorValidationError } from './behaviors.js';
import { invalidateProfile } from './invalidate-profile.js';

/**
 * The rules of security profiles that the operations share: create and update (with their
 * behavior validation), delete, attach and detach, and which profiles apply to a thing.
 *
 * Lock keys (PostgreSQL advisory locks; SQLite serialises writers anyway): whatever changes or
 * deletes a profile, or attaches it, takes the profile's key; an attachment then takes its
 * target's key (the five-per-target quota), so the order is fixed.
 */

/** A security profile with its JSON members as the API's shapes. */
export interface SecurityProfile {
  name: string;
  arn: string;
  description?: string;
  behaviors: Behavior[];
  alertTargets?: AlertTargets;
  additionalMetricsToRetainV2?: MetricToRetain[];
  metricsExportConfig?: MetricsExportConfig;
  version: number;
  createdAt: Date;
  lastModifiedAt: Date;
}

const typed = (r: SecurityProfileRecord): SecurityProfile => r as SecurityProfile;

/** AWS: "Each target type can have up to five security profiles" (also the quotas page). */
export const MAX_PROFILES_PER_TARGET = 5;

export const securityProfileLock = (name: string): string => `security-profile/${name}`;
const targetLock = (arn: string): string => `security-profile-target/${arn}`;

export const securityProfileArn = (scope: Scope, name: string): string => iotArn(scope, `securityprofile/${name}`);

/** The four kinds of target (SEMANTICS 7.1): a thing group, or every thing, registered or not. */
export type ProfileTarget =
  | { kind: 'thinggroup'; arn: string; groupName: string }
  | { kind: 'all/things' | 'all/registered-things' | 'all/unregistered-things'; arn: string };

const TARGET_ARN = /^arn:aws[a-z-]*:iot:([^:]*):([^:]*):(thinggroup\/([a-zA-Z0-9:_-]+)|all\/(things|registered-things|unregistered-things))$/;

/**
 * A target ARN of this account and region, in its canonical form (the one stored). Anything else
 * is InvalidRequestException naming the four forms.
 */
export function parseTarget(scope: Scope, arn: string): ProfileTarget {
  const m = TARGET_ARN.exec(arn);
  if (!m) {
    throw new InvalidRequestException(
      `securityProfileTargetArn ${arn} is not a security profile target: give the ARN of a thing group (arn:aws:iot:${scope.region}:${scope.accountId}:thinggroup/<name>) or ...:all/things, ...:all/registered-things, ...:all/unregistered-things.`,
    );
  }
  if (m[1] !== scope.region || m[2] !== scope.accountId) {
    throw new InvalidRequestException(`securityProfileTargetArn ${arn} is not in this account and region (${scope.accountId}, ${scope.region}).`);
  }
  if (m[4] !== undefined) return { kind: 'thinggroup', arn: iotArn(scope, `thinggroup/${m[4]}`), groupName: m[4] };
  const kind = `all/${m[5]}` as 'all/things' | 'all/registered-things' | 'all/unregistered-things';
  return { kind, arn: iotArn(scope, kind) };
}

export async function existingProfile(db: Repos, scope: Scope, name: string): Promise<SecurityProfile> {
  const p = await db.securityProfiles.get(scope, name);
  if (!p) throw new ResourceNotFoundException(`Security profile ${name} does not exist.`);
  return typed(p);
}

function checkVersion(p: SecurityProfile, expected: number | undefined): void {
  if (expected !== undefined && expected !== p.version) {
    throw new VersionConflictException(`Security profile ${p.name} is at version ${p.version}, not the expected version ${expected}.`);
  }
}

/** What Create and Update give of a profile's contents. */
type Contents = Pick<
  CreateSecurityProfileRequest,
  'securityProfileDescription' | 'behaviors' | 'alertTargets' | 'additionalMetricsToRetain' | 'additionalMetricsToRetainV2' | 'metricsExportConfig'
>;

/** The metrics to retain, from V2 or the deprecated list of names (not both). */
function retainedOf(c: Contents): MetricToRetain[] | undefined {
  if (c.additionalMetricsToRetain !== undefined && c.additionalMetricsToRetainV2 !== undefined) {
    throw new InvalidRequestException('Give additionalMetricsToRetainV2 or the deprecated additionalMetricsToRetain, not both.');
  }
  return c.additionalMetricsToRetainV2 ?? c.additionalMetricsToRetain?.map((metric) => ({ metric }));
}

/** Refuses what ValidateSecurityProfileBehaviors reports, and malformed metrics to retain: InvalidRequestException with every problem. */
async function checkContents(db: Repos, scope: Scope, behaviors: Behavior[] | undefined, retained: MetricToRetain[] | undefined, deprecated: boolean): Promise<void> {
  if (behaviors === undefined && retained === undefined) return;
  const defined = await definedMetrics(db, scope, behaviors, retained);
  const errors: BehaviorValidationError[] = [
    ...(behaviors ? validateBehaviors(behaviors, defined) : []),
    ...(retained ? validateMetricsToRetain(retained, defined, deprecated ? 'additionalMetricsToRetain' : 'additionalMetricsToRetainV2') : []),
  ];
  if (errors.length) throw new InvalidRequestException(errors.map((e) => e.errorMessage).join('; '));
}

/** Every metric and dimension a profile names (ListSecurityProfiles filters, the delete guards). */
export function usesOf(p: Pick<SecurityProfile, 'behaviors' | 'additionalMetricsToRetainV2'>): ProfileUse[] {
  const refs = [...p.behaviors, ...(p.additionalMetricsToRetainV2 ?? [])];
  return refs.flatMap((r): ProfileUse[] => [
    ...(r.metric ? [{ kind: 'metric' as const, name: r.metric }] : []),
    ...(r.metricDimension ? [{ kind: 'dimension' as const, name: r.metricDimension.dimensionName }] : []),
  ]);
}

/** CreateSecurityProfile: a name that is taken is ResourceAlreadyExistsException (AWS documents no idempotent create). */
export async function createSecurityProfile(tx: StoreTx, scope: ClockedScope, input: CreateSecurityProfileRequest): Promise<SecurityProfile> {
  checkNewTags(input.tags);
  const retained = retainedOf(input);
  await tx.lock(scope, securityProfileLock(input.securityProfileName));
  const arn = securityProfileArn(scope, input.securityProfileName);
  if (await tx.securityProfiles.get(scope, input.securityProfileName)) {
    throw new ResourceAlreadyExistsException(`Security profile ${input.securityProfileName} already exists.`, { resourceArn: arn });
  }
  await checkContents(tx, scope, input.behaviors, retained, input.additionalMetricsToRetain !== undefined);
  const now = scope.clock.now();
  const p: SecurityProfile = {
    name: input.securityProfileName,
    arn,
    description: input.securityProfileDescription || undefined,
    behaviors: input.behaviors ?? [],
    alertTargets: input.alertTargets,
    additionalMetricsToRetainV2: retained,
    metricsExportConfig: input.metricsExportConfig,
    version: 1,
    createdAt: now,
    lastModifiedAt: now,
  };
  await tx.securityProfiles.insert(scope, p, usesOf(p));
  if (input.tags?.length) await tx.tags.put(scope, arn, input.tags);
  return p;
}

/**
 * UpdateSecurityProfile: given members replace the stored ones, left-out ones stay, a delete flag
 * removes its member (and may not come with that member); the version goes up by one.
 */
export async function updateSecurityProfile(tx: StoreTx, scope: ClockedScope, input: UpdateSecurityProfileRequest, alerts: AlertDelivery = NO_DELIVERY): Promise<SecurityProfile> {
  const conflicts: [boolean | undefined, string, unknown][] = [
    [input.deleteBehaviors, 'behaviors', input.behaviors],
    [input.deleteAlertTargets, 'alertTargets', input.alertTargets],
    [input.deleteAdditionalMetricsToRetain, 'additionalMetricsToRetainV2', input.additionalMetricsToRetainV2],
    [input.deleteAdditionalMetricsToRetain, 'additionalMetricsToRetain', input.additionalMetricsToRetain],
    [input.deleteMetricsExportConfig, 'metricsExportConfig', input.metricsExportConfig],
  ];
  for (const [flag, member, value] of conflicts) {
    if (flag === true && value !== undefined) {
      const del = `delete${member[0].toUpperCase()}${member.slice(1).replace(/V2$/, '')}`;
      throw new InvalidRequestException(`${del} is true and ${member} is given; remove ${member} or set ${del} to false.`);
    }
  }
  const retained = retainedOf(input);
  await tx.lock(scope, securityProfileLock(input.securityProfileName));
  const old = await existingProfile(tx, scope, input.securityProfileName);
  checkVersion(old, input.expectedVersion);
  await checkContents(tx, scope, input.behaviors, retained, input.additionalMetricsToRetain !== undefined);
  const description = input.securityProfileDescription;
  const p: SecurityProfile = {
    ...old,
    description: description === undefined ? old.description : description || undefined,
    behaviors: input.deleteBehaviors ? [] : (input.behaviors ?? old.behaviors),
    alertTargets: input.deleteAlertTargets ? undefined : (input.alertTargets ?? old.alertTargets),
    additionalMetricsToRetainV2: input.deleteAdditionalMetricsToRetain ? undefined : (retained ?? old.additionalMetricsToRetainV2),
    metricsExportConfig: input.deleteMetricsExportConfig ? undefined : (input.metricsExportConfig ?? old.metricsExportConfig),
    version: old.version + 1,
    lastModifiedAt: scope.clock.now(),
  };
  await tx.securityProfiles.update(scope, p, usesOf(p));
  if (input.behaviors !== undefined || input.deleteBehaviors) {
    const kept = new Set(p.behaviors.map((b) => b.name));
    await invalidateProfile(tx, scope, p.name, scope.clock.now(), { ...alerts, alertTopicArn: alertTopicOf(old), keepBehavior: (n) => kept.has(n) });
  }
  return p;
}

/**
 * DeleteSecurityProfile: the profile, its attachments and its tags. A missing profile succeeds
 * (the model lists no ResourceNotFoundException); a version other than `expectedVersion` is
 * VersionConflictException. False when there was nothing to delete.
 */
export async function deleteSecurityProfile(tx: StoreTx, scope: ClockedScope, name: string, expectedVersion?: number, alerts: AlertDelivery = NO_DELIVERY): Promise<boolean> {
  await tx.lock(scope, securityProfileLock(name));
  const p = await tx.securityProfiles.get(scope, name);
  if (!p) return false;
  checkVersion(typed(p), expectedVersion);
  await invalidateProfile(tx, scope, name, scope.clock.now(), { ...alerts, alertTopicArn: alertTopicOf(typed(p)) });
  await tx.detectStates.deleteProfile(scope, name);
  await tx.securityProfiles.delete(scope, name);
  await tx.tags.removeAll(scope, p.arn);
  return true;
}

/**
 * AttachSecurityProfile: the profile and (for a thing group target) the group must exist
 * (ResourceNotFoundException); a target holds at most five profiles (LimitExceededException).
 * Attaching again what is attached changes nothing.
 */
export async function attachSecurityProfile(tx: StoreTx, scope: ClockedScope, name: string, targetArn: string): Promise<void> {
  const target = parseTarget(scope, targetArn);
  await tx.lock(scope, securityProfileLock(name));
  await existingProfile(tx, scope, name);
  if (target.kind === 'thinggroup' && !(await tx.thingGroups.get(scope, target.groupName))) {
    throw new ResourceNotFoundException(`Thing group ${target.groupName} does not exist.`);
  }
  await tx.lock(scope, targetLock(target.arn));
  if (await tx.securityProfiles.isAttached(scope, name, target.arn)) return;
  const n = await tx.securityProfiles.countOfTarget(scope, target.arn);
  if (n >= MAX_PROFILES_PER_TARGET) {
    throw new LimitExceededException(`${target.arn} already has ${n} security profiles attached; a target can have at most ${MAX_PROFILES_PER_TARGET}.`);
  }
  await tx.securityProfiles.attach(scope, name, target.arn, scope.clock.now());
}

/**
 * DetachSecurityProfile: the profile must exist and be attached to the target
 * (ResourceNotFoundException). A thing group that was deleted since can still be detached.
 */
export async function detachSecurityProfile(tx: StoreTx, scope: ClockedScope, name: string, targetArn: string, alerts: AlertDelivery = NO_DELIVERY): Promise<void> {
  const target = parseTarget(scope, targetArn);
  await tx.lock(scope, securityProfileLock(name));
  const p = await existingProfile(tx, scope, name);
  if (!(await tx.securityProfiles.detach(scope, name, target.arn))) {
    throw new ResourceNotFoundException(`Security profile ${name} is not attached to ${target.arn}.`);
  }
  const remaining = new Set(await tx.securityProfiles.targetsOf(scope, name, undefined, MAX_TARGETS_READ));
  await invalidateProfile(tx, scope, name, scope.clock.now(), { ...alerts, alertTopicArn: alertTopicOf(p), remainingTargets: remaining });
}

/** Whether Detect's alerts are delivered on this node (PENDING for the delivery worker) or only stored. */
export interface AlertDelivery {
  snsDelivery: boolean;
}

const NO_DELIVERY: AlertDelivery = { snsDelivery: false };

/** More targets than any profile has (a target has at most five profiles; a profile's targets are the account's groups and three all/ forms). */
const MAX_TARGETS_READ = 100_000;

const alertTopicOf = (p: SecurityProfile): string | undefined => p.alertTargets?.SNS?.alertTargetArn;

/**
 * The targets whose attachments ListSecurityProfilesForTarget lists: the target itself and, with
 * `recursive`, the ancestors of a thing group (their profiles apply to the group's things too). A
 * thing group that does not exist is ResourceNotFoundException.
 */
export async function targetsForListing(db: Repos, scope: Scope, targetArn: string, recursive: boolean): Promise<string[]> {
  const target = parseTarget(scope, targetArn);
  if (target.kind !== 'thinggroup') return [target.arn];
  if (!(await db.thingGroups.get(scope, target.groupName))) throw new ResourceNotFoundException(`Thing group ${target.groupName} does not exist.`);
  if (!recursive) return [target.arn];
  return (await db.registryLookups.groupsWithAncestors(scope, { groups: [target.groupName] })).map((g) => g.arn);
}

/**
 * The profiles that apply to a thing (or to a name that reports without a registered thing), in
 * name order, each once: for a registered thing, those attached to its thing groups and all their
 * parent groups, to all/things and to all/registered-things; for an unregistered name, those
 * attached to all/things and all/unregistered-things. One statement.
 */
export async function applicableProfiles(repos: Repos, scope: Scope, thingName: string, registered: boolean): Promise<SecurityProfile[]> {
  const allArn = iotArn(scope, 'all/things');
  const classArn = iotArn(scope, registered ? 'all/registered-things' : 'all/unregistered-things');
  // An unregistered name has no memberships; '' matches none either way.
  return (await repos.securityProfiles.applicableTo(scope, registered ? thingName : '', allArn, classArn)).map(typed);
}

/** DescribeSecurityProfile's (and UpdateSecurityProfile's) answer. */
export function describeProfile(p: SecurityProfile): DescribeSecurityProfileResponse {
  return {
    securityProfileName: p.name,
    securityProfileArn: p.arn,
    securityProfileDescription: p.description,
    behaviors: p.behaviors,
    alertTargets: p.alertTargets,
    additionalMetricsToRetainV2: p.additionalMetricsToRetainV2,
    metricsExportConfig: p.metricsExportConfig,
    version: p.version,
    creationDate: p.createdAt,
    lastModifiedDate: p.lastModifiedAt,
  };
}
