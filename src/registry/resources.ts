import type { Scope } from '../base/scope.js';
import { InvalidRequestException, LimitExceededException, ResourceNotFoundException } from '../generated/errors.js';
import type { ResourceKind } from '../store/policy-lookups.js';
import type { Repos } from '../store/repos.js';
import type { StoreTx } from '../store/store.js';
import type { Tag } from '../store/tags.js';

/** AWS: at most 50 user tags per resource. */
export const MAX_TAGS_PER_RESOURCE = 50;

/**
 * The AWS IoT resource types that TagResource accepts and Warden has, by the ARN's resource type,
 * with the kind the store looks them up by (the name or id after the slash). Things and device
 * certificates are not taggable in AWS IoT. A new taggable family adds one line here (and its
 * kind to the store's lookups).
 */
const TAGGABLE: Record<string, { kind: ResourceKind; what: string }> = {
  mitigationaction: { kind: 'mitigationAction', what: 'Mitigation action' },
  thinggroup: { kind: 'thingGroup', what: 'Thing group' },
  thingtype: { kind: 'thingType', what: 'Thing type' },
  policy: { kind: 'policy', what: 'Policy' },
  rolealias: { kind: 'roleAlias', what: 'Role alias' },
  cacert: { kind: 'caCertificate', what: 'CA certificate' },
  scheduledaudit: { kind: 'scheduledAudit', what: 'Scheduled audit' },
  billinggroup: { kind: 'billingGroup', what: 'Billing group' },
  securityprofile: { kind: 'securityProfile', what: 'Security profile' },
  dimension: { kind: 'dimension', what: 'Dimension' },
  custommetric: { kind: 'customMetric', what: 'Custom metric' },
};

const IOT_ARN = /^arn:aws[a-z-]*:iot:([^:]*):([^:]*):([a-z]+)\/(.+)$/;

/**
 * The ARN names a taggable resource that exists in this account and region. A string that is not
 * an AWS IoT ARN, or names a kind of resource that cannot be tagged, is InvalidRequestException; a
 * taggable ARN that names nothing (here) is ResourceNotFoundException.
 */
export async function requireTaggable(db: Repos, scope: Scope, arn: string): Promise<void> {
  const m = IOT_ARN.exec(arn);
  if (!m) throw new InvalidRequestException(`resourceArn ${arn} is not an AWS IoT resource ARN.`);
  const [, region, account, type, key] = m;
  const taggable = TAGGABLE[type];
  if (!taggable) {
    throw new InvalidRequestException(`resourceArn ${arn} names a ${type}, which cannot be tagged; taggable kinds: ${Object.keys(TAGGABLE).join(', ')}.`);
  }
  if (region !== scope.region || account !== scope.accountId || !(await db.registryLookups.exists(scope, taggable.kind, key))) {
    throw new ResourceNotFoundException(`${taggable.what} ${arn} does not exist.`);
  }
}

const RESERVED_PREFIX = /^aws:/i;

/** Tags given when a resource is created: keys unique, none reserved, at most 50 (InvalidRequestException). */
export function checkNewTags(tags: Tag[] | undefined): void {
  if (!tags?.length) return;
  checkTagKeys(tags.map((t) => t.Key));
  if (new Set(tags.map((t) => t.Key)).size > MAX_TAGS_PER_RESOURCE) {
    throw new InvalidRequestException(`A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags; ${tags.length} were given.`);
  }
}

/** Keys that start with aws: are reserved for AWS (InvalidRequestException). */
export function checkTagKeys(keys: string[]): void {
  const reserved = keys.filter((k) => RESERVED_PREFIX.test(k));
  if (reserved.length) throw new InvalidRequestException(`Tag keys starting with aws: are reserved for AWS: ${reserved.join(', ')}.`);
}

/** TagResource: the resource may hold at most 50 tags after the new ones are merged (LimitExceededException). */
export async function tagResource(tx: StoreTx, scope: Scope, arn: string, tags: Tag[]): Promise<void> {
  checkTagKeys(tags.map((t) => t.Key));
  await tx.lock(scope, `tags/${arn}`);
  await requireTaggable(tx, scope, arn);
  const keys = await tx.tags.keys(scope, arn);
  for (const t of tags) keys.add(t.Key);
  if (keys.size > MAX_TAGS_PER_RESOURCE) {
    throw new LimitExceededException(`${arn} would have ${keys.size} tags; a resource can have at most ${MAX_TAGS_PER_RESOURCE}.`);
  }
  await tx.tags.put(scope, arn, tags);
}
