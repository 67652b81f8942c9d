import type { Scope } from '../../base/scope.js';
import { InvalidRequestException, ResourceNotFoundException } from '../../generated/errors.js';
import type { AttributePayload, DescribeThingGroupResponse } from '../../generated/shapes.js';
import { iotArn } from '../../registry/arn.js';
import type { ThingGroupRecord } from '../../store/thing-groups.js';
import type { Attributes } from '../../store/things.js';
import { decodeToken, encodeToken } from '../pagination.js';

/** Shared rules of the things family: ARNs, attribute payloads, pages, group descriptions. */

export const thingArn = (scope: Scope, name: string): string => iotArn(scope, `thing/${name}`);
export const thingTypeArn = (scope: Scope, name: string): string => iotArn(scope, `thingtype/${name}`);
export const thingGroupArn = (scope: Scope, name: string): string => iotArn(scope, `thinggroup/${name}`);

/** AWS quotas: a thing without a thing type has at most 3 attributes, with one at most 50. */
export const MAX_ATTRIBUTES_UNTYPED = 3;
export const MAX_ATTRIBUTES_TYPED = 50;

/** Page of `rows` (fetched with one extra) and the token of the next page, keyed on `key`. */
export function page<T>(rows: T[], limit: number, list: string, key: (row: T) => string): { items: T[]; nextToken?: string } {
  const items = rows.slice(0, limit);
  return { items, nextToken: rows.length > limit ? encodeAfter(list, key(items[items.length - 1])) : undefined };
}

const encodeAfter = (list: string, after: string): string => encodeToken(list, { after });
export const decodeAfter = (list: string, token: string | undefined, member = 'nextToken'): string | undefined => decodeToken<{ after: string }>(list, token, member)?.after;

/**
 * The attributes after applying a payload: `merge` keeps the stored ones and overwrites the given
 * keys, otherwise the payload replaces them; either way a key with an empty value is removed.
 */
export function applyAttributes(current: Attributes, payload: AttributePayload | undefined): Attributes {
  if (!payload?.attributes) return current;
  const next: Attributes = payload.merge ? { ...current } : {};
  for (const [k, v] of Object.entries(payload.attributes)) {
    if (v === '') delete next[k];
    else next[k] = v;
  }
  return next;
}

export function checkThingAttributeCount(thingName: string, attributes: Attributes, typed: boolean): void {
  const n = Object.keys(attributes).length;
  const max = typed ? MAX_ATTRIBUTES_TYPED : MAX_ATTRIBUTES_UNTYPED;
  if (n > max) {
    throw new InvalidRequestException(
      `Thing ${thingName} would have ${n} attributes; a thing ${typed ? 'with' : 'without'} a thing type can have at most ${max}${typed ? '' : ' (give it a thing type for up to 50)'}.`,
    );
  }
}

/** Same keys and values, whatever the order. */
export const sameAttributes = (a: Attributes, b: Attributes): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

const LABELS = { thing: 'thing', thinggroup: 'thing group', billinggroup: 'billing group' } as const;

/**
 * The name given directly or through an ARN of this account and region (`arn:...:<kind>/<name>`).
 * Neither, or both naming different resources: InvalidRequestException; an ARN of elsewhere:
 * ResourceNotFoundException.
 */
export function nameOrArn(scope: Scope, kind: keyof typeof LABELS, name: string | undefined, arn: string | undefined, member: string): string {
  const label = LABELS[kind];
  let fromArn: string | undefined;
  if (arn !== undefined) {
    const m = /^arn:aws[a-z-]*:iot:([^:]*):([^:]*):([a-z]+)\/([a-zA-Z0-9:_-]+)$/.exec(arn);
    if (!m || m[3] !== kind) throw new InvalidRequestException(`${member}Arn '${arn}' is not the ARN of a ${label}.`);
    if (m[1] !== scope.region || m[2] !== scope.accountId) throw new ResourceNotFoundException(`The ${label} ${arn} does not exist in this account and region.`);
    fromArn = m[4];
  }
  if (name !== undefined && fromArn !== undefined && name !== fromArn) {
    throw new InvalidRequestException(`${member}Name '${name}' and ${member}Arn '${arn}' name different ${label}s.`);
  }
  const result = name ?? fromArn;
  if (result === undefined) throw new InvalidRequestException(`Give ${member}Name or ${member}Arn.`);
  return result;
}

/**
 * DescribeThingGroup's answer for a static or dynamic group. A group without attributes (never
 * given any, or left with none by an update) has no attributePayload, as AWS answers
 * (SEMANTICS.md section 10).
 */
export function describeGroup(scope: Scope, g: ThingGroupRecord): DescribeThingGroupResponse {
  const ancestors = g.path.split('/').slice(0, -2);
  const attributePayload = Object.keys(g.attributes).length > 0 ? { attributes: g.attributes } : undefined;
  return {
    thingGroupName: g.name,
    thingGroupId: g.groupId,
    thingGroupArn: g.arn,
    version: g.version,
    thingGroupProperties: { thingGroupDescription: g.description, attributePayload },
    thingGroupMetadata: {
      parentGroupName: g.parentName,
      rootToParentThingGroups: ancestors.map((name) => ({ groupName: name, groupArn: thingGroupArn(scope, name) })),
      creationDate: g.createdAt,
    },
    indexName: g.indexName,
    queryString: g.queryString,
    queryVersion: g.queryVersion,
    status: g.status as DescribeThingGroupResponse['status'],
  };
}
