import type { Scope } from '../base/scope.js';
import type { Behavior, CustomMetricType } from '../generated/shapes.js';
import type { Repos } from '../store/repos.js';
import { compileCriteria, type CompiledCriteria } from './evaluate.js';
import { AWS_METRICS, customMetricSpec, type MetricSpec } from './metrics.js';

/** A security profile as the evaluation reads it. */
export interface ProfileInfo {
  name: string;
  behaviors: Behavior[];
  /** The behaviors the evaluation runs (with criteria, on a metric it knows), compiled once. */
  rules: Rule[];
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
  const [attached, types, dimensions] = await Promise.all([repos.securityProfiles.attached(scope), repos.customMetrics.types(scope), repos.dimensions.filters(scope)]);
  const customMetrics = new Map([...types].map(([name, type]) => [name, type as CustomMetricType]));
  const specs = new Map<string, MetricSpec>(AWS_METRICS);
  for (const [name, type] of customMetrics) specs.set(name, customMetricSpec(name, type));
  return {
    profiles: attached.map(({ profile: p, targets }) => ({
      name: p.name,
      behaviors: p.behaviors as Behavior[],
      rules: rulesOf(p.behaviors as Behavior[], specs, dimensions),
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
    const spec = behavior.metric === undefined ? undefined : specs.get(behavior.metric);
    if (!spec || !behavior.criteria) continue;
    const dim = behavior.metricDimension;
    // A profile cannot keep a dimension that is gone (DeleteDimension refuses one in use).
    const filters = dim ? dimensions.get(dim.dimensionName) : undefined;
    if (dim && (!filters || !spec.topicDimension)) continue;
    try {
      out.push({ behavior, spec, criteria: compileCriteria(behavior, spec), ...(filters ? { topics: { filters, matching: dim!.operator !== 'NOT_IN' } } : {}) });
    } catch {
      // A behavior validation refused cannot be stored; one of an older version is left out.
    }
  }
  return out;
}
