import type { Scope } from '../base/scope.js';
import { InvalidRequestException, LimitExceededException, ResourceAlreadyExistsException, ResourceNotFoundException } from '../generated/errors.js';
import type { CreateCustomMetricRequest } from '../generated/shapes.js';
import { iotArn } from '../registry/arn.js';
import { checkNewTags } from '../registry/resources.js';
import type { ClockedScope } from '../registry/things.js';
import type { CustomMetricRecord } from '../store/custom-metrics.js';
import type { Repos, StoreTx } from '../store/store.js';

/**
 * The rules of Device Defender custom metrics. Writers take the metric's lock; creating one also
 * takes the scope's custom metric lock (the quota and the client request tokens).
 */

/** AWS IoT Device Defender quotas: "Custom metrics: 100" (adjustable). */
export const MAX_CUSTOM_METRICS = 100;

const lockOf = (name: string): string => `custom-metric/${name}`;
const CREATE_LOCK = 'custom-metrics';

export const customMetricArn = (scope: Scope, name: string): string => iotArn(scope, `custommetric/${name}`);

export async function existingCustomMetric(db: Repos, scope: Scope, name: string): Promise<CustomMetricRecord> {
  const m = await db.customMetrics.get(scope, name);
  if (!m) throw new ResourceNotFoundException(`Custom metric ${name} does not exist.`);
  return m;
}

/**
 * CreateCustomMetric. AWS: "If you try to create a new custom metric that already exists with a
 * different token, an exception occurs": the same name, token, type and display name answer the
 * existing metric; the name with anything else, or the token of another metric, is
 * ResourceAlreadyExistsException. The name may not begin with aws: (InvalidRequestException); a
 * 101st metric is LimitExceededException.
 */
export async function createCustomMetric(tx: StoreTx, scope: ClockedScope, input: CreateCustomMetricRequest): Promise<CustomMetricRecord> {
  checkNewTags(input.tags);
  if (input.metricName.toLowerCase().startsWith('aws:')) {
    throw new InvalidRequestException(`metricName ${input.metricName} begins with aws:, which is reserved for Device Defender's own metrics.`);
  }
  await tx.lock(scope, CREATE_LOCK);
  await tx.lock(scope, lockOf(input.metricName));
  const displayName = input.displayName || undefined;
  const existing = await tx.customMetrics.get(scope, input.metricName);
  if (existing) {
    if (existing.clientRequestToken === input.clientRequestToken && existing.metricType === input.metricType && existing.displayName === displayName) return existing;
    throw new ResourceAlreadyExistsException(`Custom metric ${input.metricName} already exists.`, { resourceArn: existing.arn });
  }
  const holder = await tx.customMetrics.byToken(scope, input.clientRequestToken);
  if (holder) {
    throw new ResourceAlreadyExistsException(`The clientRequestToken ${input.clientRequestToken} was used to create custom metric ${holder.name}.`, { resourceArn: holder.arn });
  }
  const n = await tx.customMetrics.count(scope);
  if (n >= MAX_CUSTOM_METRICS) throw new LimitExceededException(`This account and region have ${n} custom metrics; at most ${MAX_CUSTOM_METRICS} are allowed.`);
  const now = scope.clock.now();
  const m: CustomMetricRecord = {
    name: input.metricName,
    arn: customMetricArn(scope, input.metricName),
    metricType: input.metricType,
    displayName,
    clientRequestToken: input.clientRequestToken,
    createdAt: now,
    lastModifiedAt: now,
  };
  await tx.customMetrics.insert(scope, m);
  if (input.tags?.length) await tx.tags.put(scope, m.arn, input.tags);
  return m;
}

/** UpdateCustomMetric: the display name is replaced ('' removes it); the name and type cannot change. */
export async function updateCustomMetric(tx: StoreTx, scope: ClockedScope, name: string, displayName: string): Promise<CustomMetricRecord> {
  await tx.lock(scope, lockOf(name));
  const m = { ...(await existingCustomMetric(tx, scope, name)), displayName: displayName || undefined, lastModifiedAt: scope.clock.now() };
  await tx.customMetrics.update(scope, m);
  return m;
}

/**
 * DeleteCustomMetric: a missing metric succeeds (the model lists no ResourceNotFoundException). AWS:
 * "Before you can delete a custom metric, you must first remove the custom metric from all security
 * profiles it's a part of": one still in use is InvalidRequestException.
 */
export async function deleteCustomMetric(tx: StoreTx, scope: Scope, name: string): Promise<boolean> {
  await tx.lock(scope, lockOf(name));
  const m = await tx.customMetrics.get(scope, name);
  if (!m) return false;
  const user = await tx.securityProfiles.userOf(scope, { kind: 'metric', name });
  if (user) {
    throw new InvalidRequestException(`Custom metric ${name} is used by security profile ${user}; remove it from every security profile (ListSecurityProfiles with metricName) before deleting it.`);
  }
  await tx.customMetrics.delete(scope, name);
  await tx.tags.removeAll(scope, m.arn);
  return true;
}
