import { isIP } from 'node:net';
import type { Scope } from '../base/scope.js';
import type { Behavior, CustomMetricType, MetricToRetain, MetricValue } from '../generated/shapes.js';
import type { Repos } from '../store/repos.js';
import { AWS_METRICS, customMetricSpec, DURATIONS, type MetricSpec } from './metrics.js';

/**
 * AWS's rules on security profile behaviors, in one place: ValidateSecurityProfileBehaviors answers
 * what this finds, CreateSecurityProfile and UpdateSecurityProfile refuse it. Sources: the API
 * reference (Behavior, BehaviorCriteria, MetricValue), the Detect guide's behaviors, device-side and
 * cloud-side metrics, ML Detect and custom metrics pages, and the quotas page (100 behaviors, 1000
 * metric value elements per profile). Messages follow AWS's own form, as the AWS CLI's example of
 * validate-security-profile-behaviors prints it: "Behavior Authorization is malformed.
 * consecutiveDatapointsToAlarm 100000 should be in range[1,10]".
 *
 * Where AWS says nothing, Warden chooses (and says so below): a behavior without criteria is a
 * "retain only" behavior (Behavior.criteria is optional in the API: the metric is kept, nothing
 * alarms); durationSeconds is required with a statisticalThreshold (AWS: the percentiles are taken
 * over that duration) and for the cloud-side counts (a count needs its period), and an ML behavior
 * takes none (ML Detect models each datapoint).
 */

/** One problem, as ValidateSecurityProfileBehaviors reports it; `behaviorName` when it concerns one behavior. */
export interface BehaviorValidationError {
  behaviorName?: string;
  errorMessage: string;
}

/** What validation needs to know of the scope: its custom metrics and its dimensions. */
export interface DefinedMetrics {
  customMetricType(name: string): CustomMetricType | undefined;
  dimensionExists(name: string): boolean;
}

export const MAX_BEHAVIORS = 100;
export const MAX_VALUE_ELEMENTS = 1000;
export const MIN_DATAPOINTS = 1;
export const MAX_DATAPOINTS = 10;

/** The metrics a TOPIC_FILTER dimension may scope, for messages. */
const TOPIC_METRICS = [...AWS_METRICS.values()].filter((m) => m.topicDimension).map((m) => m.name);

/** The spec of an `aws:` metric or of a custom metric defined in the scope. */
export function metricSpecOf(metric: string, defined: DefinedMetrics): MetricSpec | undefined {
  const aws = AWS_METRICS.get(metric);
  if (aws) return aws;
  if (metric.startsWith('aws:')) return undefined;
  const type = defined.customMetricType(metric);
  return type && customMetricSpec(metric, type);
}

/** The custom metrics and dimensions that behaviors and metrics to retain name, read in two queries. */
export async function definedMetrics(db: Repos, scope: Scope, behaviors: Behavior[] = [], retained: MetricToRetain[] = []): Promise<DefinedMetrics> {
  const refs = [...behaviors, ...retained];
  const metrics = refs.map((r) => r.metric).filter((m): m is string => typeof m === 'string' && !m.startsWith('aws:'));
  const dims = refs.map((r) => r.metricDimension?.dimensionName).filter((d): d is string => typeof d === 'string');
  const types = metrics.length ? await db.customMetrics.typesOf(scope, metrics) : new Map<string, string>();
  const existing = dims.length ? await db.dimensions.existing(scope, dims) : new Set<string>();
  return { customMetricType: (n) => types.get(n) as CustomMetricType | undefined, dimensionExists: (n) => existing.has(n) };
}

/** Every problem of a list of behaviors, in order: per behavior, then of the list as a whole. */
export function validateBehaviors(behaviors: Behavior[], defined: DefinedMetrics): BehaviorValidationError[] {
  const errors: BehaviorValidationError[] = [];
  if (behaviors.length > MAX_BEHAVIORS) {
    errors.push({ errorMessage: `A security profile can have at most ${MAX_BEHAVIORS} behaviors; ${behaviors.length} were given` });
  }
  const seen = new Set<string>();
  let elements = 0;
  for (const b of behaviors) {
    const name = typeof b?.name === 'string' ? b.name : undefined;
    if (!name) {
      errors.push({ errorMessage: 'Behavior name is required' });
      continue;
    }
    if (seen.has(name)) errors.push({ behaviorName: name, errorMessage: `Behavior name ${name} is used by more than one behavior; names must be unique in a security profile` });
    seen.add(name);
    for (const detail of behaviorProblems(b, defined)) errors.push({ behaviorName: name, errorMessage: `Behavior ${name} is malformed. ${detail}` });
    elements += valueElements(b.criteria?.value);
  }
  if (elements > MAX_VALUE_ELEMENTS) {
    errors.push({ errorMessage: `The behaviors hold ${elements} metric value elements (cidrs, ports, numbers, strings); a security profile can have at most ${MAX_VALUE_ELEMENTS}` });
  }
  return errors;
}

/** The problems of additionalMetricsToRetainV2 (the metric and its dimension, as for a behavior). */
export function validateMetricsToRetain(retained: MetricToRetain[], defined: DefinedMetrics, member = 'additionalMetricsToRetainV2'): BehaviorValidationError[] {
  const errors: BehaviorValidationError[] = [];
  retained.forEach((r, i) => {
    for (const detail of metricProblems(r, defined)) errors.push({ errorMessage: `${member}[${i}] is malformed. ${detail}` });
  });
  return errors;
}

const valueElements = (v: MetricValue | undefined): number =>
  (v?.cidrs?.length ?? 0) + (v?.ports?.length ?? 0) + (v?.numbers?.length ?? 0) + (v?.strings?.length ?? 0);

/** The metric must be known; a dimension only on the message metrics, and it must exist. */
function metricProblems(r: Pick<Behavior, 'metric' | 'metricDimension'>, defined: DefinedMetrics): string[] {
  if (r.metric === undefined) return ['metric is required'];
  const spec = metricSpecOf(r.metric, defined);
  if (!spec) {
    return [
      r.metric.startsWith('aws:')
        ? `metric ${r.metric} is not a Device Defender metric`
        : `metric ${r.metric} is neither an aws: metric nor a custom metric defined in this account and region`,
    ];
  }
  const out: string[] = [];
  const dim = r.metricDimension;
  if (dim) {
    if (spec.side === 'custom') out.push(`metricDimension cannot be used with custom metric ${r.metric}`);
    else if (!spec.topicDimension) out.push(`metricDimension cannot be used with ${r.metric}; a dimension scopes only ${TOPIC_METRICS.join(', ')}`);
    if (!defined.dimensionExists(dim.dimensionName)) out.push(`metricDimension.dimensionName ${dim.dimensionName} is not a dimension of this account and region`);
  }
  return out;
}

function behaviorProblems(b: Behavior, defined: DefinedMetrics): string[] {
  const out = metricProblems(b, defined);
  const spec = b.metric === undefined ? undefined : metricSpecOf(b.metric, defined);
  const c = b.criteria;
  if (!spec || !c) return out; // no criteria: the behavior only retains its metric
  const m = spec.name;
  for (const k of ['consecutiveDatapointsToAlarm', 'consecutiveDatapointsToClear'] as const) {
    const n = c[k];
    if (n !== undefined && (!Number.isInteger(n) || n < MIN_DATAPOINTS || n > MAX_DATAPOINTS)) {
      out.push(`${k} ${n} should be in range[${MIN_DATAPOINTS},${MAX_DATAPOINTS}]`);
    }
  }
  if (c.mlDetectionConfig) {
    if (!spec.ml) out.push(`criteria.mlDetectionConfig cannot be used with ${m}: ML Detect models only numeric aws: metrics and custom metrics of type number`);
    const extra = (['comparisonOperator', 'value', 'statisticalThreshold', 'durationSeconds'] as const).filter((k) => c[k] !== undefined);
    if (extra.length) out.push(`criteria.mlDetectionConfig cannot be combined with criteria.${extra.join(', criteria.')}`);
    if (b.metricDimension) out.push('criteria.mlDetectionConfig cannot be used with a metricDimension');
    return out;
  }
  const op = c.comparisonOperator;
  if (op === undefined) {
    out.push('criteria.comparisonOperator is required (or criteria.mlDetectionConfig for an ML Detect behavior)');
  } else if (!spec.operators.includes(op)) {
    out.push(`criteria.comparisonOperator ${op} cannot be used with ${m}; use one of ${spec.operators.join(', ')}`);
  }
  if (c.value !== undefined && c.statisticalThreshold !== undefined) out.push('criteria takes a value or a statisticalThreshold, not both');
  else if (c.value === undefined && c.statisticalThreshold === undefined) out.push('criteria.value or criteria.statisticalThreshold is required');
  if (c.statisticalThreshold !== undefined) {
    if (!spec.statistical) out.push(`criteria.statisticalThreshold cannot be used with ${m}: statistical thresholds need a numeric metric`);
    else if (c.statisticalThreshold.statistic === undefined) out.push('criteria.statisticalThreshold.statistic is required');
  }
  if (c.value !== undefined) out.push(...valueProblems(spec, c.value));
  out.push(...durationProblems(spec, c.durationSeconds, c.statisticalThreshold !== undefined));
  return out;
}

/** The MetricValue member that holds a value of the metric's kind. */
function valueMember(spec: MetricSpec): keyof MetricValue {
  switch (spec.kind) {
    case 'number':
      return spec.side === 'custom' ? 'number' : 'count';
    case 'ip-list':
      return 'cidrs';
    case 'port-list':
      return 'ports';
    case 'number-list':
      return 'numbers';
    case 'string-list':
      return 'strings';
  }
}

function valueProblems(spec: MetricSpec, value: MetricValue): string[] {
  const want = valueMember(spec);
  const given = (Object.keys(value) as (keyof MetricValue)[]).filter((k) => value[k] !== undefined && value[k] !== null);
  if (given.length !== 1 || given[0] !== want) {
    return [`criteria.value of ${spec.name} takes ${want} only${given.length ? `, not ${given.join(', ')}` : ''}`];
  }
  if (want === 'cidrs') {
    const bad = value.cidrs!.filter((c) => !isCidr(c));
    if (bad.length) return [`criteria.value.cidrs ${bad.join(', ')} ${bad.length === 1 ? 'is not a CIDR block' : 'are not CIDR blocks'}`];
  }
  return [];
}

function durationProblems(spec: MetricSpec, d: number | undefined, statistical: boolean): string[] {
  const m = spec.name;
  const list = spec.kind !== 'number';
  if (d === undefined) {
    if (statistical && !list) return ['criteria.durationSeconds is required with a statisticalThreshold'];
    if (spec.side === 'cloud' && spec.delta) return [`criteria.durationSeconds is required for ${m}`];
    return [];
  }
  if (list) return [`criteria.durationSeconds cannot be used with list-based metric ${m}`];
  const allowed = spec.durations ?? (statistical ? DURATIONS : undefined);
  if (!allowed) return [`criteria.durationSeconds cannot be used with ${m} except with a statisticalThreshold`];
  if (!allowed.includes(d)) return [`criteria.durationSeconds ${d} should be one of [${allowed.join(', ')}]`];
  return [];
}

/** An IPv4 or IPv6 address with an optional prefix length (a bare address is one host). */
export function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(addr);
  if (family === 0) return false;
  if (slash < 0) return true;
  const prefix = text.slice(slash + 1);
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
