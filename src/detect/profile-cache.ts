import type { Scope } from '../base/scope.js';
import type { Behavior, CustomMetricType, MetricToRetain } from '../generated/shapes.js';
import type { Repos } from '../store/repos.js';
import { compileCriteria, type CompiledCriteria } from './evaluate.js';
import { AWS_METRICS, customMetricSpec, type MetricSpec } from './metrics.js';

/** A security profile as the evaluation reads it. */
export interface ProfileInfo {
  name: string;
  behaviors: Behavior[];
  /** The behaviors the evaluation runs (with criteria, on a metric it knows), compiled once. */
  rules: Rule[];
  /** The metrics whose datapoints are kept for the things it covers, never compared (retained.ts). */
  retain: RetainedMetric[];
  /** The SNS topic alerts go to (alertTargets.SNS), if any. */
  alertTopicArn?: string;
  /** The target ARNs the profile is attached to. */
  targets: Set<string>;
}

/** A behavior the evaluation runs. */
export interface Rule {
  behavior: Behavior;
  spec: MetricSpec;
  criteria: CompiledCriteria;
  /**
   * A TOPIC_FILTER dimension's scope (`metricDimension`): the message metrics count only the topics
   * that match one of `filters` (`matching` true, operator IN or none) or that match none of them
   * (NOT_IN).
   */
  topics?: { filters: readonly string[]; matching: boolean };
}

/**
 * A metric a profile retains: an entry of its additionalMetricsToRetainV2, or a behavior without
 * criteria (which only retains its metric), on a metric the evaluation knows.
 */
export interface RetainedMetric {
  spec: MetricSpec;
  /** The metricDimension as its values are kept: '' and '' without one; operator IN when it gives none. */
  dimensionName: string;
  dimensionOperator: string;
  /** The dimension's scope, as a Rule's. */
  topics?: Rule['topics'];
}

/** What Detect needs of one account and region to evaluate its devices' reports. */
export interface AccountDetect {
  profiles: ProfileInfo[];
  customMetrics: Map<string, CustomMetricType>;
  /** The spec of a behavior's metric (an `aws:` metric or a custom one), if it is known. */
  spec(metric: string | undefined): MetricSpec | undefined;
}

/** How long a scope's profiles are reused before they are read again (profile changes show within this). */
export const PROFILE_CACHE_MS = 1000;

/**
 * The security profiles, targets and custom metrics of each scope, read at most once per
 * PROFILE_CACHE_MS of wall time (the evaluation would otherwise read them for every report) and
 * at once after a change made on this node (`invalidate`).
 */
export class ProfileCache {
  private readonly entries = new Map<string, { at: number; value: Promise<AccountDetect> }>();

  constructor(private readonly repos: Repos) {}

  /** `via`: the transaction to read through when the caller holds one (SQLite's one connection is then busy). */
  get(scope: Scope, via?: Repos): Promise<AccountDetect> {
    const key = `${scope.accountId}/${scope.region}`;
    const e = this.entries.get(key);
    const now = Date.now();
    if (e && now - e.at < PROFILE_CACHE_MS) return e.value;
    const value = loadAccount(via ?? this.repos, scope);
    value.catch(() => this.entries.delete(key));
    this.entries.set(key, { at: now, value });
    return value;
  }

  invalidate(scope: Scope): void {
    this.entries.delete(`${scope.accountId}/${scope.region}`);
  }
}

async function loadAccount(repos: Repos, scope: Scope): Promise<AccountDetect> {
  // One after another: through a transaction they share one connection, which takes one query at a time.
  const attached = await repos.securityProfiles.attached(scope);
  const types = await repos.customMetrics.types(scope);
  const dimensions = await repos.dimensions.filters(scope);
  const customMetrics = new Map([...types].map(([name, type]) => [name, type as CustomMetricType]));
  const specs = new Map<string, MetricSpec>(AWS_METRICS);
  for (const [name, type] of customMetrics) specs.set(name, customMetricSpec(name, type));
  return {
    profiles: attached.map(({ profile: p, targets }) => ({
      name: p.name,
      behaviors: p.behaviors as Behavior[],
      rules: rulesOf(p.behaviors as Behavior[], specs, dimensions),
      retain: retainedOf(p.behaviors as Behavior[], p.additionalMetricsToRetainV2 as MetricToRetain[] | undefined, specs, dimensions),
      alertTopicArn: (p.alertTargets as Record<string, { alertTargetArn?: string }> | undefined)?.SNS?.alertTargetArn,
      targets: new Set(targets),
    })),
    customMetrics,
    spec: (metric) => (metric === undefined ? undefined : specs.get(metric)),
  };
}

/** The ARNs a profile may be attached to that cover a thing with these groups. */
export function targetsOf(scope: Scope, registered: boolean, groups: Iterable<string>): string[] {
  const base = `arn:aws:iot:${scope.region}:${scope.accountId}:`;
  const out = [`${base}all/things`, registered ? `${base}all/registered-things` : `${base}all/unregistered-things`];
  for (const g of groups) out.push(`${base}thinggroup/${g}`);
  return out;
}

/** The profiles that apply to a thing, given the ARNs that cover it. */
export function profilesFor(account: AccountDetect, covering: readonly string[]): ProfileInfo[] {
  return account.profiles.filter((p) => covering.some((arn) => p.targets.has(arn)));
}

/** The behaviors of a profile that evaluation runs: those with criteria on a metric it knows. */
function rulesOf(behaviors: readonly Behavior[], specs: ReadonlyMap<string, MetricSpec>, dimensions: ReadonlyMap<string, string[]>): Rule[] {
  const out: Rule[] = [];
  for (const behavior of behaviors) {
    if (!behavior.criteria) continue;
    const known = knownMetric(behavior, specs, dimensions);
    if (!known) continue;
    try {
      out.push({ behavior, spec: known.spec, criteria: compileCriteria(behavior, known.spec), ...(known.topics ? { topics: known.topics } : {}) });
    } catch {
      // A behavior validation refused cannot be stored; one of an older version is left out.
    }
  }
  return out;
}

/**
 * The metrics a profile retains: its additionalMetricsToRetainV2 and its behaviors without criteria,
 * each (metric, dimension) once, those on an unknown metric or dimension left out as rulesOf does.
 */
function retainedOf(
  behaviors: readonly Behavior[],
  retained: readonly MetricToRetain[] | undefined,
  specs: ReadonlyMap<string, MetricSpec>,
  dimensions: ReadonlyMap<string, string[]>,
): RetainedMetric[] {
  const out = new Map<string, RetainedMetric>();
  for (const m of [...(retained ?? []), ...behaviors.filter((b) => !b.criteria)]) {
    const known = knownMetric(m, specs, dimensions);
    if (!known) continue;
    const dim = m.metricDimension;
    const entry: RetainedMetric = { ...known, dimensionName: dim?.dimensionName ?? '', dimensionOperator: dim ? (dim.operator ?? 'IN') : '' };
    out.set(`${known.spec.name}\n${entry.dimensionName}\n${entry.dimensionOperator}`, entry);
  }
  return [...out.values()];
}

/** A behavior's or retained metric's spec and dimension scope; undefined for a metric or dimension the evaluation does not know. */
function knownMetric(
  m: Pick<Behavior, 'metric' | 'metricDimension'>,
  specs: ReadonlyMap<string, MetricSpec>,
  dimensions: ReadonlyMap<string, string[]>,
): { spec: MetricSpec; topics?: Rule['topics'] } | undefined {
  const spec = m.metric === undefined ? undefined : specs.get(m.metric);
  if (!spec) return undefined;
  const dim = m.metricDimension;
  if (!dim) return { spec };
  // A profile cannot keep a dimension that is gone (DeleteDimension refuses one in use).
  const filters = dimensions.get(dim.dimensionName);
  if (!filters || !spec.topicDimension) return undefined;
  return { spec, topics: { filters, matching: dim.operator !== 'NOT_IN' } };
}
