/**
 * Behavior evaluation: for one (thing, behavior), a pure state machine fed one datapoint at a time.
 *
 * compileCriteria(behavior, spec) turns a behavior into what evaluation needs (the operator, the
 * threshold, a CidrSet, port/string/number sets, the window), once; the caller caches it per
 * behavior. evaluate(criteria, state, datapoint, threshold?, model?) then answers the new state, the
 * event when the alarm state changes ('in-alarm' or 'alarm-cleared'), and the value compared.
 *
 * A behavior describes expected behavior: a datapoint conforms when the criteria hold.
 * - Numeric metrics: value <op> criteria value (less-than, less-than-equals, greater-than,
 *   greater-than-equals). A STATISTICAL behavior compares with `threshold`, the statistic
 *   (percentile) of the fleet's values that the caller computes with `percentile`; as AWS says, "if
 *   the resulting value for the device falls above or below (comparisonOperator) the value
 *   associated with the percentile specified, then the device is considered to be in compliance".
 *   A MACHINE_LEARNING behavior conforms unless ml.ts's `anomalous(model, value, confidenceLevel)`.
 *   Without a threshold (no fleet statistic yet) or a model (not ACTIVE), a datapoint is recorded
 *   but not compared: the alarm state does not move.
 * - in-cidr-set / not-in-cidr-set (IPv4 and IPv6): every address of the datapoint is in the set /
 *   none is (a block in the datapoint must lie wholly inside, resp. outside).
 * - in-port-set / not-in-port-set, in-set / not-in-set (string-list and number-list custom
 *   metrics): every element is in the set / none is.
 * - An empty list of ports or addresses always conforms, and clears an alarm at once ("If the
 *   corresponding behavior was in violation, the violation is cleared"), whatever
 *   consecutiveDatapointsToClear says. An empty string or number list conforms like any other
 *   conforming datapoint.
 * - durationSeconds: the datapoints of a delta metric (bytes, packets, messages, authorization
 *   failures, connection attempts, disconnects: counts per report or per period) and of
 *   aws:message-byte-size ("cumulative size", AWS's statistical example) are summed over the
 *   trailing duration, (time − duration, time]; the sum is the value compared. Other metrics (port
 *   and connection counts, custom numbers) compare their latest datapoint.
 * - consecutiveDatapointsToAlarm (default 1) violating datapoints in a row raise 'in-alarm';
 *   consecutiveDatapointsToClear (default 1) conforming ones in a row, while in alarm, give
 *   'alarm-cleared'.
 * Datapoints come in time order: one older than the last is ignored (state unchanged, not compared).
 * A caller that invalidates alarms after two days without metrics (SEMANTICS 7.3) asks `silent`.
 */
import type { Behavior, BehaviorCriteriaType, ComparisonOperator, ConfidenceLevel, MetricValue } from '../generated/shapes.js';
import { CidrSet } from './ip.js';
import type { MetricKind, MetricSpec } from './metrics.js';
import { anomalous, type MlModel } from './ml.js';

/** The statistics a statisticalThreshold may name (the model's EvaluationStatistic pattern, AWS's list). */
export const STATISTICS = ['p0', 'p0.1', 'p0.01', 'p1', 'p10', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'p100'] as const;
export type Statistic = (typeof STATISTICS)[number];

const OP = {
  'less-than': 0,
  'less-than-equals': 1,
  'greater-than': 2,
  'greater-than-equals': 3,
  'in-cidr-set': 4,
  'not-in-cidr-set': 5,
  'in-port-set': 6,
  'not-in-port-set': 7,
  'in-set': 8,
  'not-in-set': 9,
} as const satisfies Record<ComparisonOperator, number>;

export interface CompiledCriteria {
  readonly behaviorName: string;
  readonly metric: string;
  readonly kind: MetricKind;
  readonly criteriaType: BehaviorCriteriaType;
  /** Undefined for ML behaviors, which have none. */
  readonly operator?: ComparisonOperator;
  readonly op: number;
  /** A STATIC numeric behavior's criteria value. */
  readonly value?: number;
  readonly cidrs?: CidrSet;
  readonly ports?: ReadonlySet<number>;
  readonly strings?: ReadonlySet<string>;
  readonly numbers?: ReadonlySet<number>;
  /** The trailing window summed over, in ms; 0 when datapoints are compared one by one. */
  readonly windowMs: number;
  readonly toAlarm: number;
  readonly toClear: number;
  readonly statistic?: Statistic;
  readonly confidenceLevel?: ConfidenceLevel;
}

/** True when a behavior with durationSeconds sums the metric's datapoints over the duration. */
export const sumsOverDuration = (spec: MetricSpec): boolean => spec.delta || spec.name === 'aws:message-byte-size';

/**
 * A behavior compiled for evaluation. Throws an Error on a behavior that validation should have
 * refused (no criteria, an operator that does not suit the metric, a missing value, a bad CIDR).
 */
export function compileCriteria(behavior: Behavior, spec: MetricSpec): CompiledCriteria {
  const c = behavior.criteria;
  const where = `behavior '${behavior.name}'`;
  if (!c) throw new Error(`${where} has no criteria`);
  const base = {
    behaviorName: behavior.name,
    metric: spec.name,
    kind: spec.kind,
    windowMs: c.durationSeconds && sumsOverDuration(spec) ? c.durationSeconds * 1000 : 0,
    toAlarm: c.consecutiveDatapointsToAlarm ?? 1,
    toClear: c.consecutiveDatapointsToClear ?? 1,
  };
  if (c.mlDetectionConfig) {
    if (spec.kind !== 'number') throw new Error(`${where}: ML detection needs a numeric metric, not ${spec.name}`);
    return { ...base, criteriaType: 'MACHINE_LEARNING', op: -1, confidenceLevel: c.mlDetectionConfig.confidenceLevel };
  }
  const operator = c.comparisonOperator;
  if (!operator) throw new Error(`${where} has no comparisonOperator`);
  if (!spec.operators.includes(operator)) throw new Error(`${where}: ${operator} does not suit ${spec.name}`);
  const op = OP[operator];
  if (c.statisticalThreshold) {
    const statistic = c.statisticalThreshold.statistic as Statistic | undefined;
    if (!statistic || !STATISTICS.includes(statistic)) throw new Error(`${where}: unknown statistic ${statistic}`);
    if (spec.kind !== 'number') throw new Error(`${where}: a statistical threshold needs a numeric metric`);
    return { ...base, criteriaType: 'STATISTICAL', operator, op, statistic };
  }
  const v = c.value;
  if (!v) throw new Error(`${where} has no criteria value`);
  switch (spec.kind) {
    case 'number': {
      const value = v.count ?? v.number;
      if (typeof value !== 'number') throw new Error(`${where} needs a count or number value`);
      return { ...base, criteriaType: 'STATIC', operator, op, value };
    }
    case 'ip-list':
      if (!v.cidrs) throw new Error(`${where} needs cidrs`);
      return { ...base, criteriaType: 'STATIC', operator, op, cidrs: new CidrSet(v.cidrs) };
    case 'port-list':
      if (!v.ports) throw new Error(`${where} needs ports`);
      return { ...base, criteriaType: 'STATIC', operator, op, ports: new Set(v.ports) };
    case 'string-list':
      if (!v.strings) throw new Error(`${where} needs strings`);
      return { ...base, criteriaType: 'STATIC', operator, op, strings: new Set(v.strings) };
    case 'number-list':
      if (!v.numbers) throw new Error(`${where} needs numbers`);
      return { ...base, criteriaType: 'STATIC', operator, op, numbers: new Set(v.numbers) };
  }
}

/**
 * What evaluation keeps per (thing, behavior) between datapoints. Small and JSON-serialisable:
 * two numbers and a flag, plus the trailing window's datapoints for a behavior that sums over a
 * duration (at most duration / reporting interval entries: 12 for 3600 s at one report per 300 s).
 */
export interface BehaviorState {
  /** The device is in alarm for this behavior. */
  inAlarm: boolean;
  /** Violating datapoints in a row while not in alarm, or conforming ones in a row while in alarm. */
  streak: number;
  /** Time (ms) of the last datapoint. */
  lastTime: number;
  /** Times (ms) and values of the datapoints in the trailing window, oldest first; only for a behavior that sums. */
  windowTimes?: number[];
  windowValues?: number[];
}

export interface Datapoint {
  /** When the datapoint was taken (ms since the epoch). */
  time: number;
  value: MetricValue;
}

export interface Evaluation {
  state: BehaviorState;
  event?: 'in-alarm' | 'alarm-cleared';
  /** The value compared: the datapoint's, or its sum over the duration. */
  value: MetricValue;
  /** Whether the value conformed; undefined when it was not compared (no threshold or model, or out of order). */
  conforms?: boolean;
}

/** value <operator> threshold, for the four numeric operators. */
export function compareNumbers(value: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case 'less-than':
      return value < threshold;
    case 'less-than-equals':
      return value <= threshold;
    case 'greater-than':
      return value > threshold;
    case 'greater-than-equals':
      return value >= threshold;
    default:
      throw new Error(`${operator} is not a numeric comparison`);
  }
}

/**
 * Whether a device conforms to a statistical behavior: its value (over the duration) stands to the
 * fleet's statistic as the comparisonOperator says (SEMANTICS 7.2, quoting AWS).
 */
export const conformsToStatistic = (deviceValue: number, operator: ComparisonOperator, statisticValue: number): boolean => compareNumbers(deviceValue, operator, statisticValue);

function compareOp(op: number, value: number, threshold: number): boolean {
  switch (op) {
    case 0:
      return value < threshold;
    case 1:
      return value <= threshold;
    case 2:
      return value > threshold;
    default:
      return value >= threshold;
  }
}

/** The statistic's percentage: 'p99.9' → 99.9. */
export function statisticPercent(statistic: Statistic): number {
  if (!STATISTICS.includes(statistic)) throw new Error(`Unknown statistic ${statistic}`);
  return Number(statistic.slice(1));
}

/**
 * The statistic of values sorted ascending (linear interpolation between the closest ranks, as
 * numpy's default and Excel's PERCENTILE.INC: p0 is the minimum, p100 the maximum); undefined for
 * no values.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, statistic: Statistic): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const h = ((n - 1) * statisticPercent(statistic)) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** The statistic ('p0' … 'p100') of the values (not modified); undefined for no values. */
export function percentile(values: ArrayLike<number>, statistic: Statistic): number | undefined {
  return percentileOfSorted(Float64Array.from(values).sort(), statistic);
}

/** Two days without metrics invalidate an alarm (SEMANTICS 7.3). */
export const INVALIDATE_AFTER_MS = 2 * 86_400_000;

/** True when the device is in alarm and has sent no datapoint for the behavior for more than two days. */
export const silent = (state: BehaviorState, now: number): boolean => state.inAlarm && now - state.lastTime > INVALIDATE_AFTER_MS;

const numericValue = (c: CompiledCriteria, v: MetricValue): number => {
  const x = v.count ?? v.number;
  if (typeof x !== 'number') throw new TypeError(`A datapoint of ${c.metric} must hold a count or a number`);
  return x;
};

/** -1: empty list (conforms and clears), 1: conforms, 0: violates. */
function listConformity(c: CompiledCriteria, v: MetricValue): number {
  switch (c.kind) {
    case 'ip-list': {
      const list = v.cidrs;
      if (!list) throw new TypeError(`A datapoint of ${c.metric} must hold cidrs`);
      if (list.length === 0) return -1;
      const want = c.op === OP['in-cidr-set'] ? 'in' : 'out';
      for (let i = 0; i < list.length; i++) if (c.cidrs!.locate(list[i]) !== want) return 0;
      return 1;
    }
    case 'port-list': {
      const list = v.ports;
      if (!list) throw new TypeError(`A datapoint of ${c.metric} must hold ports`);
      if (list.length === 0) return -1;
      const want = c.op === OP['in-port-set'];
      for (let i = 0; i < list.length; i++) if (c.ports!.has(list[i]) !== want) return 0;
      return 1;
    }
    case 'string-list': {
      const list = v.strings;
      if (!list) throw new TypeError(`A datapoint of ${c.metric} must hold strings`);
      const want = c.op === OP['in-set'];
      for (let i = 0; i < list.length; i++) if (c.strings!.has(list[i]) !== want) return 0;
      return 1;
    }
    case 'number-list': {
      const list = v.numbers;
      if (!list) throw new TypeError(`A datapoint of ${c.metric} must hold numbers`);
      const want = c.op === OP['in-set'];
      for (let i = 0; i < list.length; i++) if (c.numbers!.has(list[i]) !== want) return 0;
      return 1;
    }
    default:
      throw new Error('unreachable');
  }
}

/**
 * Evaluates one datapoint of a (thing, behavior). `threshold` is the fleet's statistic for a
 * STATISTICAL behavior; `model` the ACTIVE model for a MACHINE_LEARNING one. Pure: the state
 * passed in is not modified.
 */
export function evaluate(c: CompiledCriteria, state: BehaviorState | undefined, datapoint: Datapoint, threshold?: number, model?: MlModel): Evaluation {
  const time = datapoint.time;
  if (state && time < state.lastTime) return { state, value: datapoint.value };

  let value = datapoint.value;
  let windowTimes: number[] | undefined;
  let windowValues: number[] | undefined;
  // -1 empty list (clears at once), 1 conforms, 0 violates, 2 not compared
  let verdict: number;

  if (c.kind === 'number') {
    let x = numericValue(c, value);
    if (c.windowMs > 0) {
      const from = time - c.windowMs;
      windowTimes = [];
      windowValues = [];
      const ts = state?.windowTimes;
      const vs = state?.windowValues;
      let sum = 0;
      if (ts && vs) {
        for (let i = 0; i < ts.length; i++) {
          if (ts[i] > from) {
            windowTimes.push(ts[i]);
            windowValues.push(vs[i]);
            sum += vs[i];
          }
        }
      }
      windowTimes.push(time);
      windowValues.push(x);
      x = sum + x;
      value = value.count !== undefined ? { count: x } : { number: x };
    }
    if (c.criteriaType === 'STATIC') verdict = compareOp(c.op, x, c.value!) ? 1 : 0;
    else if (c.criteriaType === 'STATISTICAL') verdict = threshold === undefined ? 2 : compareOp(c.op, x, threshold) ? 1 : 0;
    else verdict = model === undefined ? 2 : anomalous(model, x, c.confidenceLevel!) ? 0 : 1;
  } else {
    verdict = listConformity(c, value);
  }

  let inAlarm = state?.inAlarm ?? false;
  let streak = state?.streak ?? 0;
  let event: Evaluation['event'];
  if (verdict === -1) {
    streak = 0;
    if (inAlarm) {
      inAlarm = false;
      event = 'alarm-cleared';
    }
  } else if (verdict !== 2) {
    const violates = verdict === 0;
    if (inAlarm === violates) streak = 0;
    else if (++streak >= (inAlarm ? c.toClear : c.toAlarm)) {
      inAlarm = !inAlarm;
      streak = 0;
      event = inAlarm ? 'in-alarm' : 'alarm-cleared';
    }
  }

  const next: BehaviorState = { inAlarm, streak, lastTime: time };
  if (windowTimes) {
    next.windowTimes = windowTimes;
    next.windowValues = windowValues;
  }
  const out: Evaluation = { state: next, value };
  if (event) out.event = event;
  if (verdict !== 2) out.conforms = verdict !== 0;
  return out;
}
