/**
 * Warden's ML Detect model: its own, simple and stated in full. It is not AWS's model.
 *
 * What it computes. One model per (security profile, ML behavior), trained on the numeric
 * datapoints that the profile's devices reported for the behavior's metric in the trailing training
 * window (14 days by default): the values the behavior compares, i.e. evaluate()'s `value` (a sum
 * over durationSeconds when the behavior has one). Each value v is first put on a log scale, x = sign(v)·ln(1 + |v|),
 * so that a device sending ten times the fleet's bytes is as far from it as one sending a tenth.
 * The model keeps two numbers of the fleet's x: its median m, and a robust spread s = 1.4826 × the
 * median absolute deviation from m (the factor makes s the standard deviation for normally
 * distributed x); when more than half the values are identical (a metric that is mostly 0, such as
 * authorization failures) the MAD is 0 and s = 1.2533 × the mean absolute deviation instead; s is
 * never below 0.25 (a factor of e^0.25 ≈ 1.28 on a large value), so a fleet of near-identical
 * devices does not alarm on noise, and in a fleet that reports 0 one count scores 2.8, two 4.4,
 * five 7.2. A new datapoint v scores z = (x − m) / s, the "modified z-score" of Iglewicz and
 * Hoaglin, and is anomalous when |z| exceeds the threshold of the behavior's confidence level:
 * LOW 3.5 (Iglewicz and Hoaglin's outlier cut-off), MEDIUM 5, HIGH 7. HIGH alarms least. A normally
 * distributed fleet (on the log scale) would put one datapoint in about 2,000 beyond 3.5, one in
 * 1.7 million beyond 5, and one in 390 billion beyond 7. The median and MAD resist contamination:
 * the model holds while less than half the training datapoints are abnormal.
 *
 * What it cannot see. It knows the fleet, not each device: a device that has always sent ten
 * times what its peers send is anomalous every time (AWS's advice applies: attach ML profiles to
 * groups of devices that behave alike). It knows no time of day or day of week: a fleet that is
 * busy on weekdays and idle at weekends makes weekend datapoints look low. It sees one metric at a
 * time (no correlation between metrics), one datapoint at a time (no sequences or trends; the
 * behavior's consecutiveDatapointsToAlarm/Clear add persistence), and only what the behavior
 * measures. It flags departures both ways: a device far quieter than the fleet is anomalous too.
 * It is retrained from scratch each day; nothing is learned between refreshes.
 *
 * The training lifecycle follows AWS's documentation (dd-detect-ml; GetBehaviorModelTrainingSummaries):
 * no model is built before the behavior has collected for the training window and seen the minimum
 * number of datapoints in it (25,000 by default; both configurable, so tests and small fleets can
 * train); the model is then rebuilt daily from the trailing window. While the minimum is not met
 * the build is retried daily; a behavior with no model is PENDING_BUILD until the retry period (30
 * days) after its first possible build has passed, and a model whose rebuilds have failed for the
 * retry period is EXPIRED and no longer evaluated. Warden keeps retrying after that, so a model
 * comes back (ACTIVE) when enough data does.
 *
 * Training takes the datapoints' values, or a sketch: a histogram of x in bins of 0.01, which the
 * ingestion path can keep per day and behavior instead of every datapoint (the median from a
 * sketch is within half a bin of the exact one, the MAD within a bin).
 */
import type { BehaviorModelTrainingSummary, ConfidenceLevel, ModelStatus } from '../generated/shapes.js';

export interface MlModel {
  readonly version: 1;
  /** Median of the training values on the log scale. */
  readonly center: number;
  /** Robust spread of the training values on the log scale (at least SCALE_FLOOR). */
  readonly scale: number;
  /** What gave the spread: the MAD, the mean absolute deviation (MAD was 0), or the floor. */
  readonly spread: 'mad' | 'meanad' | 'floor';
  /** Training datapoints. */
  readonly datapoints: number;
  /** When the model was built (ms since the epoch). */
  readonly trainedAt: number;
}

/** |z| above which a datapoint is anomalous, per confidence level. */
export const THRESHOLDS: Readonly<Record<ConfidenceLevel, number>> = { LOW: 3.5, MEDIUM: 5, HIGH: 7 };

/** The smallest spread a model uses (log scale). */
export const SCALE_FLOOR = 0.25;

const MAD_TO_SIGMA = 1.4826;
const MEANAD_TO_SIGMA = 1.2533;

/** The log scale of the model: sign(v)·ln(1 + |v|). */
export const logScale = (v: number): number => (v >= 0 ? Math.log1p(v) : -Math.log1p(-v));

/** The datapoint's modified z-score against the model. */
export const score = (model: MlModel, value: number): number => (logScale(value) - model.center) / model.scale;

/** True when the value departs from the fleet beyond the confidence level's threshold. */
export function anomalous(model: MlModel, value: number, level: ConfidenceLevel): boolean {
  return Math.abs(score(model, value)) > THRESHOLDS[level];
}

/** A histogram of log-scale values: bin k holds values in [k·width, (k+1)·width). JSON-serialisable. */
export interface MlSketch {
  width: number;
  count: number;
  bins: Record<string, number>;
}

export const SKETCH_WIDTH = 0.01;

export const newSketch = (): MlSketch => ({ width: SKETCH_WIDTH, count: 0, bins: {} });

/** Adds a datapoint to a sketch (in place: this is the ingestion path's per-datapoint call). */
export function addToSketch(sketch: MlSketch, value: number): void {
  if (!Number.isFinite(value)) return;
  const k = Math.floor(logScale(value) / sketch.width);
  sketch.bins[k] = (sketch.bins[k] ?? 0) + 1;
  sketch.count++;
}

/** One sketch of many (e.g. the fourteen daily sketches of the training window). */
export function mergeSketches(sketches: readonly MlSketch[]): MlSketch {
  const out = newSketch();
  for (const s of sketches) {
    if (s.width !== out.width) throw new Error(`Cannot merge sketches of bin width ${s.width} and ${out.width}`);
    for (const k of Object.keys(s.bins)) out.bins[k] = (out.bins[k] ?? 0) + s.bins[k];
    out.count += s.count;
  }
  return out;
}

const isSketch = (d: ArrayLike<number> | MlSketch): d is MlSketch => typeof (d as MlSketch).bins === 'object' && typeof (d as MlSketch).width === 'number';

/** Number of datapoints in values or a sketch. */
export const datapointCount = (data: ArrayLike<number> | MlSketch): number => (isSketch(data) ? data.count : data.length);

function model(center: number, mad: number, meanAd: number, datapoints: number, trainedAt: number): MlModel {
  let scale = MAD_TO_SIGMA * mad;
  let spread: MlModel['spread'] = 'mad';
  if (!(scale > 0)) {
    scale = MEANAD_TO_SIGMA * meanAd;
    spread = 'meanad';
  }
  if (!(scale >= SCALE_FLOOR)) {
    scale = SCALE_FLOOR;
    spread = 'floor';
  }
  return { version: 1, center, scale, spread, datapoints, trainedAt };
}

const medianOfSorted = (a: Float64Array): number => {
  const n = a.length;
  return n % 2 === 1 ? a[(n - 1) / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
};

/** Fits a model to training values (exactly) or to a sketch (to about a bin). Needs one datapoint or more. */
export function train(data: ArrayLike<number> | MlSketch, trainedAt: number): MlModel {
  if (isSketch(data)) return trainSketch(data, trainedAt);
  const x = new Float64Array(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) if (Number.isFinite(data[i])) x[n++] = logScale(data[i]);
  if (n === 0) throw new Error('Cannot train a model on no datapoints');
  const xs = x.subarray(0, n).sort();
  const m = medianOfSorted(xs);
  const dev = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    dev[i] = Math.abs(xs[i] - m);
    sum += dev[i];
  }
  return model(m, medianOfSorted(dev.sort()), sum / n, n, trainedAt);
}

function trainSketch(s: MlSketch, trainedAt: number): MlModel {
  if (s.count === 0) throw new Error('Cannot train a model on no datapoints');
  const keys = Object.keys(s.bins)
    .map(Number)
    .sort((a, b) => a - b);
  const mid = (k: number): number => (k + 0.5) * s.width;
  // The median: the bin where the cumulative count passes half.
  const half = s.count / 2;
  let seen = 0;
  let m = mid(keys[keys.length - 1]);
  for (const k of keys) {
    seen += s.bins[k];
    if (seen >= half) {
      m = mid(k);
      break;
    }
  }
  const devs = keys.map((k) => [Math.abs(mid(k) - m), s.bins[k]] as const).sort((a, b) => a[0] - b[0]);
  let sum = 0;
  for (const [d, c] of devs) sum += d * c;
  seen = 0;
  let mad = 0;
  for (const [d, c] of devs) {
    seen += c;
    if (seen >= half) {
      mad = d;
      break;
    }
  }
  // A sketch cannot tell values within one bin apart: a MAD below a bin width counts as 0.
  if (mad < s.width) mad = 0;
  const meanAd = sum / s.count;
  return model(m, mad, meanAd < s.width / 2 ? 0 : meanAd, s.count, trainedAt);
}

export interface MlOptions {
  /** Days of data the model is built from, and that a behavior collects before the first build (AWS: 14). */
  trainingDays?: number;
  /** Datapoints the training window must hold for a build (AWS: 25,000). */
  minDatapoints?: number;
  /** Days of daily retries before a model that cannot be (re)built is EXPIRED (AWS: 30). */
  retryDays?: number;
}

export const ML_DEFAULTS: Readonly<Required<MlOptions>> = { trainingDays: 14, minDatapoints: 25000, retryDays: 30 };

const DAY = 86_400_000;
const opts = (o?: MlOptions): Required<MlOptions> => ({ ...ML_DEFAULTS, ...o });

/** A behavior's training record, stored per (profile, behavior). JSON-serialisable; times in ms. */
export interface MlTraining {
  /** When the behavior started collecting training data (its creation, or its profile's first target). */
  collectionStart: number;
  model?: MlModel;
  /** The last successful build. */
  lastRefresh?: number;
  /** The last build attempt, successful or not. */
  lastAttempt?: number;
}

export const startTraining = (now: number): MlTraining => ({ collectionStart: now });

/** The start of the trailing window a build at `now` trains on. */
export const trainingWindowStart = (now: number, options?: MlOptions): number => now - opts(options).trainingDays * DAY;

/** True when a build attempt is due: the first training window has passed and no attempt was made in the last day. */
export function refreshDue(t: MlTraining, now: number, options?: MlOptions): boolean {
  const o = opts(options);
  if (now - t.collectionStart < o.trainingDays * DAY) return false;
  return t.lastAttempt === undefined || now - t.lastAttempt >= DAY;
}

/**
 * A build attempt at `now` from the datapoints of the trailing window (values or a sketch): a new
 * model when the window has passed and holds the minimum; otherwise the old model stays and the
 * attempt is recorded.
 */
export function refresh(t: MlTraining, window: ArrayLike<number> | MlSketch, now: number, options?: MlOptions): MlTraining {
  const o = opts(options);
  const n = datapointCount(window);
  if (now - t.collectionStart >= o.trainingDays * DAY && n >= o.minDatapoints && n > 0) {
    return { ...t, model: train(window, now), lastRefresh: now, lastAttempt: now };
  }
  return { ...t, lastAttempt: now };
}

/** PENDING_BUILD, ACTIVE or EXPIRED at `now` (see the block comment). */
export function modelStatus(t: MlTraining, now: number, options?: MlOptions): ModelStatus {
  const o = opts(options);
  if (!t.model || t.lastRefresh === undefined) {
    return now - t.collectionStart <= (o.trainingDays + o.retryDays) * DAY ? 'PENDING_BUILD' : 'EXPIRED';
  }
  return now - t.lastRefresh <= o.retryDays * DAY ? 'ACTIVE' : 'EXPIRED';
}

/** The model to evaluate with at `now`: only an ACTIVE one. */
export function activeModel(t: MlTraining, now: number, options?: MlOptions): MlModel | undefined {
  return modelStatus(t, now, options) === 'ACTIVE' ? t.model : undefined;
}

/**
 * The fields of GetBehaviorModelTrainingSummaries for one behavior. `windowDatapoints` is the
 * number of datapoints in the trailing training window now; the percentage is that number against
 * the minimum, capped at 100 (two decimals).
 */
export function trainingSummary(
  t: MlTraining,
  now: number,
  windowDatapoints: number,
  options?: MlOptions,
): Required<Pick<BehaviorModelTrainingSummary, 'modelStatus' | 'datapointsCollectionPercentage' | 'trainingDataCollectionStartDate'>> &
  Pick<BehaviorModelTrainingSummary, 'lastModelRefreshDate'> {
  const o = opts(options);
  const pct = o.minDatapoints <= 0 ? 100 : Math.min(100, Math.round((10_000 * windowDatapoints) / o.minDatapoints) / 100);
  return {
    modelStatus: modelStatus(t, now, o),
    datapointsCollectionPercentage: pct,
    trainingDataCollectionStartDate: new Date(t.collectionStart),
    ...(t.lastRefresh !== undefined ? { lastModelRefreshDate: new Date(t.lastRefresh) } : {}),
  };
}
