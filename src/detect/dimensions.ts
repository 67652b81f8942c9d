import { isTopicFilter } from '../base/mqtt-topics.js';
import type { Scope } from '../base/scope.js';
import { InvalidRequestException, LimitExceededException, ResourceAlreadyExistsException, ResourceNotFoundException } from '../generated/errors.js';
import type { CreateDimensionRequest } from '../generated/shapes.js';
import { iotArn } from '../registry/arn.js';
import { checkNewTags } from '../registry/resources.js';
import type { ClockedScope } from '../registry/things.js';
import type { DimensionRecord } from '../store/dimensions.js';
import type { Repos, StoreTx } from '../store/store.js';

/**
 * The rules of Device Defender dimensions (type TOPIC_FILTER: MQTT topic filters that scope the
 * message metrics of a behavior). Writers take the dimension's lock; creating one also takes the
 * scope's dimension lock (the quota and the client request tokens).
 */

/** AWS IoT Device Defender quotas: "Metric dimensions: 10". */
export const MAX_DIMENSIONS = 10;

const lockOf = (name: string): string => `dimension/${name}`;
const CREATE_LOCK = 'dimensions';

export const dimensionArn = (scope: Scope, name: string): string => iotArn(scope, `dimension/${name}`);

export async function existingDimension(db: Repos, scope: Scope, name: string): Promise<DimensionRecord> {
  const d = await db.dimensions.get(scope, name);
  if (!d) throw new ResourceNotFoundException(`Dimension ${name} does not exist.`);
  return d;
}

/** MQTT topic filters: `+` and `#` stand for whole levels, `#` only as the last one (InvalidRequestException). */
export function checkTopicFilters(values: string[]): void {
  for (const v of values) {
    if (!isTopicFilter(v)) {
      throw new InvalidRequestException(`stringValues ${v} is not an MQTT topic filter: + and # stand for a whole level, and # only for the last one.`);
    }
  }
}

const sameValues = (a: string[], b: string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * CreateDimension. The same name, token, type and values answer the existing dimension (a retried
 * request); the name with anything else, or the token of another dimension, is
 * ResourceAlreadyExistsException; an eleventh dimension is LimitExceededException.
 */
export async function createDimension(tx: StoreTx, scope: ClockedScope, input: CreateDimensionRequest): Promise<DimensionRecord> {
  checkNewTags(input.tags);
  checkTopicFilters(input.stringValues);
  await tx.lock(scope, CREATE_LOCK);
  await tx.lock(scope, lockOf(input.name));
  const existing = await tx.dimensions.get(scope, input.name);
  if (existing) {
    if (existing.clientRequestToken === input.clientRequestToken && existing.type === input.type && sameValues(existing.stringValues, input.stringValues)) {
      return existing;
    }
    throw new ResourceAlreadyExistsException(`Dimension ${input.name} already exists.`, { resourceArn: existing.arn });
  }
  const holder = await tx.dimensions.byToken(scope, input.clientRequestToken);
  if (holder) {
    throw new ResourceAlreadyExistsException(`The clientRequestToken ${input.clientRequestToken} was used to create dimension ${holder.name}.`, { resourceArn: holder.arn });
  }
  const n = await tx.dimensions.count(scope);
  if (n >= MAX_DIMENSIONS) throw new LimitExceededException(`This account and region have ${n} dimensions; at most ${MAX_DIMENSIONS} are allowed.`);
  const now = scope.clock.now();
  const d: DimensionRecord = {
    name: input.name,
    arn: dimensionArn(scope, input.name),
    type: input.type,
    stringValues: input.stringValues,
    clientRequestToken: input.clientRequestToken,
    createdAt: now,
    lastModifiedAt: now,
  };
  await tx.dimensions.insert(scope, d);
  if (input.tags?.length) await tx.tags.put(scope, d.arn, input.tags);
  return d;
}

/** UpdateDimension: the values are replaced. */
export async function updateDimension(tx: StoreTx, scope: ClockedScope, name: string, stringValues: string[]): Promise<DimensionRecord> {
  checkTopicFilters(stringValues);
  await tx.lock(scope, lockOf(name));
  const d = { ...(await existingDimension(tx, scope, name)), stringValues, lastModifiedAt: scope.clock.now() };
  await tx.dimensions.update(scope, d);
  return d;
}

/**
 * DeleteDimension: a missing dimension succeeds (the model lists no ResourceNotFoundException); one
 * that a security profile uses is InvalidRequestException (the model's only client error here).
 */
export async function deleteDimension(tx: StoreTx, scope: Scope, name: string): Promise<boolean> {
  await tx.lock(scope, lockOf(name));
  const d = await tx.dimensions.get(scope, name);
  if (!d) return false;
  const user = await tx.securityProfiles.userOf(scope, { kind: 'dimension', name });
  if (user) {
    throw new InvalidRequestException(`Dimension ${name} is used by security profile ${user}; remove it from every security profile (ListSecurityProfiles with dimensionName) before deleting it.`);
  }
  await tx.dimensions.delete(scope, name);
  await tx.tags.removeAll(scope, d.arn);
  return true;
}
