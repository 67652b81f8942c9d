// Warden's ML Detect model: it flags a device whose behavior departs from the fleet's and leaves
// normal devices alone; HIGH confidence alarms least; sketches train the same model as raw values;
// the training lifecycle (PENDING_BUILD, ACTIVE, EXPIRED, datapointsCollectionPercentage) follows
// AWS's minimums on an injected clock, and both minimums are configurable.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConfidenceLevel } from '../../src/generated/shapes.js';
import { type BehaviorState, compileCriteria, evaluate } from '../../src/detect/evaluate.js';
import { AWS_METRICS } from '../../src/detect/metrics.js';
import {
  activeModel,
  addToSketch,
  anomalous,
  mergeSketches,
  ML_DEFAULTS,
  type MlModel,
  type MlTraining,
  modelStatus,
  newSketch,
  refresh,
  refreshDue,
  SCALE_FLOOR,
  score,
  startTraining,
  THRESHOLDS,
  train,
  trainingSummary,
  trainingWindowStart,
} from '../../src/detect/ml.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

/** A seeded generator (mulberry32) and normal deviates (Box–Muller), so every run sees the same fleet. */
function random(seed: number): { uniform: () => number; normal: () => number } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** Bytes out per 5 minutes of a fleet device: about 20 kB, log-normally spread (σ 0.3). */
const fleetValue = (r: ReturnType<typeof random>): number => Math.round(20_000 * Math.exp(0.3 * r.normal()));

describe('the model flags the device that departs from the fleet', () => {
  const r = random(14);
  const DEVICES = 100;
  // 14 days of training data: 300 datapoints per device (30,000, above AWS's 25,000).
  const training: number[] = [];
  for (let d = 0; d < DEVICES; d++) for (let k = 0; k < 300; k++) training.push(fleetValue(r));

  let t: MlTraining = startTraining(T0);
  assert.equal(refreshDue(t, T0 + 14 * DAY - 1), false);
  assert.equal(refreshDue(t, T0 + 14 * DAY), true);
  t = refresh(t, training, T0 + 14 * DAY);
  const model = activeModel(t, T0 + 14 * DAY)!;

  test('the trained model is ACTIVE and describes the fleet', () => {
    assert.ok(model);
    assert.equal(model.spread, 'mad');
    assert.ok(Math.abs(model.center - Math.log1p(20_000)) < 0.02, `center ${model.center}`);
    assert.ok(Math.abs(model.scale - 0.3) < 0.02, `scale ${model.scale}`);
    assert.equal(model.datapoints, 30_000);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(model)), model);
  });

  for (const level of ['LOW', 'MEDIUM', 'HIGH'] as ConfidenceLevel[]) {
    test(`${level}: the exfiltrating device alarms, and clears when it is back to normal`, () => {
      const behavior = { name: 'ml-bytes-out', metric: 'aws:all-bytes-out', criteria: { mlDetectionConfig: { confidenceLevel: level }, consecutiveDatapointsToAlarm: 2, consecutiveDatapointsToClear: 2 } };
      const c = compileCriteria(behavior, AWS_METRICS.get('aws:all-bytes-out')!);
      const live = random(99);
      const alarms: number[] = [];
      let falseViolations = 0;
      let datapoints = 0;
      for (let d = 0; d < DEVICES; d++) {
        const outlier = d === 37;
        let state: BehaviorState | undefined;
        const events: string[] = [];
        for (let k = 0; k < 24; k++) {
          // The outlier sends 40 times its peers' traffic for the first 12 periods, then behaves.
          const value = outlier && k < 12 ? 40 * fleetValue(live) : fleetValue(live);
          const e = evaluate(c, state, { time: T0 + 15 * DAY + k * 300_000, value: { count: value } }, undefined, model);
          state = e.state;
          if (e.event) events.push(`${k}:${e.event}`);
          if (!outlier) {
            datapoints++;
            if (e.conforms === false) falseViolations++;
          }
        }
        if (outlier) assert.deepStrictEqual(events, ['1:in-alarm', '13:alarm-cleared'], `${level}: the outlier`);
        else if (events.length) alarms.push(d);
      }
      assert.deepStrictEqual(alarms, [], `${level}: normal devices that alarmed`);
      // Single violating datapoints of normal devices: none at MEDIUM or HIGH, a handful at LOW.
      if (level === 'LOW') assert.ok(falseViolations <= 3, `${falseViolations} of ${datapoints}`);
      else assert.equal(falseViolations, 0);
    });
  }

  test('HIGH confidence alarms least: moderate departures split the levels', () => {
    const counts: Record<ConfidenceLevel, number> = { LOW: 0, MEDIUM: 0, HIGH: 0 };
    const factors = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 20];
    for (const f of factors) for (const level of ['LOW', 'MEDIUM', 'HIGH'] as ConfidenceLevel[]) if (anomalous(model, 20_000 * f, level)) counts[level]++;
    assert.ok(counts.LOW > counts.MEDIUM && counts.MEDIUM > counts.HIGH && counts.HIGH > 0, JSON.stringify(counts));
    // 3.6 times the fleet: LOW only; 20 times: all three.
    assert.deepStrictEqual((['LOW', 'MEDIUM', 'HIGH'] as ConfidenceLevel[]).map((l) => anomalous(model, 72_000, l)), [true, false, false]);
    assert.deepStrictEqual((['LOW', 'MEDIUM', 'HIGH'] as ConfidenceLevel[]).map((l) => anomalous(model, 400_000, l)), [true, true, true]);
  });

  test('a device far quieter than the fleet is anomalous too', () => {
    assert.ok(score(model, 10) < -THRESHOLDS.HIGH);
    assert.ok(anomalous(model, 0, 'HIGH'));
  });

  test('a sketch of the same datapoints trains the same model, to half a bin', () => {
    // Fourteen daily sketches, merged.
    const days = Array.from({ length: 14 }, () => newSketch());
    training.forEach((v, i) => addToSketch(days[i % 14], v));
    const sketched = train(mergeSketches(days), T0);
    assert.equal(sketched.datapoints, training.length);
    assert.ok(Math.abs(sketched.center - model.center) <= 0.005 + 1e-9, `${sketched.center} vs ${model.center}`);
    assert.ok(Math.abs(sketched.scale - model.scale) <= 1.4826 * 0.01, `${sketched.scale} vs ${model.scale}`);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(days[0])), days[0]);
    for (const f of [0.05, 0.5, 1, 2, 40]) {
      for (const level of ['LOW', 'MEDIUM', 'HIGH'] as ConfidenceLevel[]) {
        assert.equal(anomalous(sketched, 20_000 * f, level), anomalous(model, 20_000 * f, level), `${f}× at ${level}`);
      }
    }
  });
});

describe('degenerate fleets', () => {
  test('a metric that is mostly 0 (authorization failures): the spread falls back, then the floor', () => {
    const r = random(3);
    const values = Array.from({ length: 10_000 }, () => (r.uniform() < 0.95 ? 0 : 1));
    const m = train(values, T0);
    assert.equal(m.center, 0);
    assert.equal(m.scale, SCALE_FLOOR);
    assert.equal(m.spread, 'floor');
    assert.deepStrictEqual([1, 2, 5].map((n) => Math.round(score(m, n) * 10) / 10), [2.8, 4.4, 7.2]);
    assert.equal(anomalous(m, 1, 'LOW'), false);
    assert.equal(anomalous(m, 2, 'LOW'), true);
    assert.equal(anomalous(m, 2, 'MEDIUM'), false);
    assert.equal(anomalous(m, 50, 'HIGH'), true);
  });

  test('more than half identical but a wide rest: the mean absolute deviation gives the spread', () => {
    const values = [...Array(600).fill(100), ...Array.from({ length: 400 }, (_, i) => 100 * 2 ** (1 + (i % 8)))];
    const m = train(values, T0);
    assert.equal(m.spread, 'meanad');
    assert.ok(m.scale > SCALE_FLOOR);
  });

  test('negative custom-metric values are on the same log scale', () => {
    const m = train(Array.from({ length: 1001 }, (_, i) => i - 500), T0);
    assert.ok(Math.abs(m.center) < 1e-9);
    assert.equal(score(m, -300), -score(m, 300));
    assert.equal(anomalous(m, -400, 'LOW'), false);
    assert.equal(anomalous(m, -1e30, 'HIGH'), true);
    assert.equal(anomalous(m, 1e30, 'HIGH'), true);
  });

  test('no datapoints: no model', () => {
    assert.throws(() => train([], T0), /no datapoints/);
    assert.throws(() => train([NaN, Infinity], T0), /no datapoints/);
    assert.throws(() => train(newSketch(), T0), /no datapoints/);
  });
});

describe('training lifecycle (GetBehaviorModelTrainingSummaries)', () => {
  const enough = Array.from({ length: ML_DEFAULTS.minDatapoints }, (_, i) => 1000 + (i % 100));
  const few = enough.slice(0, 100);

  test("AWS's defaults: 14 days and 25,000 datapoints, then daily refreshes", () => {
    assert.deepStrictEqual(ML_DEFAULTS, { trainingDays: 14, minDatapoints: 25000, retryDays: 30 });
    let t = startTraining(T0);
    // Day 7, half the datapoints: PENDING_BUILD at 50%.
    assert.deepStrictEqual(trainingSummary(t, T0 + 7 * DAY, 12_500), {
      modelStatus: 'PENDING_BUILD',
      datapointsCollectionPercentage: 50,
      trainingDataCollectionStartDate: new Date(T0),
    });
    // Enough datapoints but not 14 days: no build.
    assert.equal(refreshDue(t, T0 + 13 * DAY), false);
    t = refresh(t, enough, T0 + 13 * DAY);
    assert.equal(t.model, undefined);
    assert.equal(modelStatus(t, T0 + 13 * DAY), 'PENDING_BUILD');
    assert.equal(trainingSummary(t, T0 + 13 * DAY, 40_000).datapointsCollectionPercentage, 100);
    // Day 14: built.
    assert.equal(refreshDue(t, T0 + 14 * DAY), true);
    t = refresh(t, enough, T0 + 14 * DAY);
    assert.equal(modelStatus(t, T0 + 14 * DAY), 'ACTIVE');
    assert.deepStrictEqual(trainingSummary(t, T0 + 14 * DAY, 25_000), {
      modelStatus: 'ACTIVE',
      datapointsCollectionPercentage: 100,
      trainingDataCollectionStartDate: new Date(T0),
      lastModelRefreshDate: new Date(T0 + 14 * DAY),
    });
    // Next attempt one day later, not before.
    assert.equal(refreshDue(t, T0 + 15 * DAY - 1), false);
    assert.equal(refreshDue(t, T0 + 15 * DAY), true);
    assert.equal(trainingWindowStart(T0 + 15 * DAY), T0 + DAY);
    // A refresh with too few datapoints keeps the model.
    const kept = refresh(t, few, T0 + 15 * DAY);
    assert.equal(kept.model, t.model);
    assert.equal(kept.lastRefresh, T0 + 14 * DAY);
    assert.equal(kept.lastAttempt, T0 + 15 * DAY);
    // A successful refresh replaces it.
    const renewed = refresh(kept, enough.map((v) => v * 10), T0 + 16 * DAY);
    assert.notEqual(renewed.model, t.model);
    assert.equal(renewed.lastRefresh, T0 + 16 * DAY);
    assert.ok(renewed.model!.center > t.model!.center);
  });

  test('refreshes that keep failing: ACTIVE for 30 days, then EXPIRED and no longer evaluated; data brings it back', () => {
    let t = refresh(startTraining(T0), enough, T0 + 14 * DAY);
    for (let day = 15; day <= 50; day++) t = refresh(t, few, T0 + day * DAY);
    assert.equal(modelStatus(t, T0 + 44 * DAY), 'ACTIVE');
    assert.ok(activeModel(t, T0 + 44 * DAY));
    assert.equal(modelStatus(t, T0 + 44 * DAY + 1), 'EXPIRED');
    assert.equal(activeModel(t, T0 + 44 * DAY + 1), undefined);
    assert.equal(trainingSummary(t, T0 + 50 * DAY, 100).datapointsCollectionPercentage, 0.4);
    assert.equal(refreshDue(t, T0 + 51 * DAY), true);
    t = refresh(t, enough, T0 + 51 * DAY);
    assert.equal(modelStatus(t, T0 + 51 * DAY), 'ACTIVE');
  });

  test('a model never built: PENDING_BUILD through 30 days of retries after the first 14, then EXPIRED', () => {
    let t = startTraining(T0);
    for (let day = 14; day <= 45; day++) t = refresh(t, few, T0 + day * DAY);
    assert.equal(modelStatus(t, T0 + 44 * DAY), 'PENDING_BUILD');
    assert.equal(modelStatus(t, T0 + 44 * DAY + 1), 'EXPIRED');
    assert.deepStrictEqual(trainingSummary(t, T0 + 45 * DAY, 0), { modelStatus: 'EXPIRED', datapointsCollectionPercentage: 0, trainingDataCollectionStartDate: new Date(T0) });
  });

  test('configurable minimums let a small fleet train in a day', () => {
    const options = { trainingDays: 1, minDatapoints: 3, retryDays: 2 };
    let t = startTraining(T0);
    assert.equal(trainingSummary(t, T0, 1, options).datapointsCollectionPercentage, 33.33);
    assert.equal(refreshDue(t, T0 + DAY - 1, options), false);
    t = refresh(t, [10, 11, 12], T0 + DAY, options);
    assert.equal(modelStatus(t, T0 + DAY, options), 'ACTIVE');
    assert.equal(modelStatus(t, T0 + 3 * DAY + 1, options), 'EXPIRED');
    assert.equal(trainingWindowStart(T0 + DAY, options), T0);
  });

  test('the training record survives JSON', () => {
    const t = refresh(startTraining(T0), enough, T0 + 14 * DAY);
    const back = JSON.parse(JSON.stringify(t)) as MlTraining;
    assert.deepStrictEqual(back, t);
    assert.equal(anomalous(back.model as MlModel, 1e7, 'HIGH'), true);
  });
});
