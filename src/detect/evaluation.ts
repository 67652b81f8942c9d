import { randomBytes } from 'node:crypto';
import type { Scope } from '../base/scope.js';
import type { Behavior, MetricValue } from '../generated/shapes.js';
import type { MlSketchRecord, MlTrainingRecord } from '../store/detect-ml.js';
import type { DetectStateRecord } from '../store/detect-states.js';
import type { StoreTx } from '../store/store.js';
import { cloudValue, type PeriodActivity } from './cloud.js';
import { evaluate, type BehaviorState } from './evaluate.js';
import { activeModel, addToSketch, newSketch, startTraining, type MlModel, type MlOptions, type MlSketch, type MlTraining } from './ml.js';
import { profilesFor, targetsOf, type AccountDetect, type ProfileInfo } from './profile-cache.js';
import { RetainedValues } from './retained.js';
import { periodOf, type Thresholds } from './thresholds.js';
import { ViolationWriter } from './violation-writer.js';

/** One device-side report, or one thing's cloud-side period, as evaluation takes it. */
export interface DeviceReport {
  thingName: string;
  /** A device-side report's values by metric (empty for a cloud-side period). */
  values: Map<string, MetricValue>;
  /** When it was received (ms), or the cloud-side period's last millisecond: the time of its datapoints. */
  at: number;
  /** A cloud-side period's activity: then only the cloud-side behaviors are evaluated (cloud.ts cloudValue). */
  cloud?: PeriodActivity;
}

/** What detect_states keeps per behavior: the evaluation state and the open violation's id. */
export interface BehaviorSlot {
  s: BehaviorState;
  v?: string;
}

const keyOf = (thing: string, profile: string) => `${thing}\n${profile}`;

/**
 * Evaluates a batch of one scope's device reports (or cloud-side periods) in the caller's
 * transaction: for each, the profiles that apply to its thing (through its groups and the all/...
 * targets), and for each of their behaviors whose metric it gives a datapoint (a device-side
 * metric the report carries; a cloud-side metric of the period), one step of the behavior's state machine.
 * Violations open (in-alarm), move on, and end (alarm-cleared); behaviors the profile no longer
 * has end theirs (alarm-invalidated). An ML behavior is compared with its training's ACTIVE model
 * (none while PENDING_BUILD or EXPIRED: the datapoint is recorded, not compared); a behavior seen for
 * the first time starts its training; the value it compared goes into this node's sketch of the
 * UTC day (`o.ml.sketches`, whose round copies the caller commits after the transaction). States,
 * violations, events, alerts, started trainings and the day sketches touched (one row per behavior
 * and day) are written in a few statements. Answers the number of alerts written.
 */
export async function evaluateReports(
  tx: StoreTx,
  scope: Scope,
  account: AccountDetect,
  reports: readonly DeviceReport[],
  o: { snsDelivery: boolean; thresholds: Thresholds; ml?: { options: MlOptions; sketches: MlSketches } },
): Promise<number> {
  if (account.profiles.length === 0 || reports.length === 0) return 0;
  const names = [...new Set(reports.map((r) => r.thingName))];
  const membership = await tx.detectStates.membership(scope, names);
  const ml = o.ml && hasMlRules(account) ? new MlRound(scope, await tx.detectMl.trainings(scope), o.ml.options, o.ml.sketches) : undefined;
  const states = new Map<string, DetectStateRecord>();
  const byThing = new Map<string, DetectStateRecord[]>();
  for (const s of await tx.detectStates.ofThings(scope, names)) {
    states.set(keyOf(s.thingName, s.profileName), s);
    byThing.set(s.thingName, [...(byThing.get(s.thingName) ?? []), s]);
  }
  const writer = new ViolationWriter(tx, scope, o);
  const dirty = new Map<string, DetectStateRecord>();
  const periodValues: { profileName: string; behaviorName: string; periodStart: number; thingName: string; value: number }[] = [];
  const retained = RetainedValues.of(account);

  for (const r of reports) {
    const m = membership.get(r.thingName)!;
    const applicable = profilesFor(account, targetsOf(scope, m.registered, m.groups));
    // A profile that no longer covers the thing (it left the group, the profile was detached elsewhere): its violations end.
    for (const rec of byThing.get(r.thingName) ?? []) {
      if (rec.active === 0 || applicable.some((p) => p.name === rec.profileName)) continue;
      const topic = account.profiles.find((p) => p.name === rec.profileName)?.alertTopicArn;
      for (const [name, slot] of Object.entries(rec.states)) {
        const v = (slot as BehaviorSlot).v;
        if (v) writer.close(v, 'alarm-invalidated', undefined, r.at, topic);
        delete rec.states[name];
      }
      rec.active = 0;
      dirty.set(keyOf(rec.thingName, rec.profileName), rec);
    }
    for (const p of applicable) {
      const key = keyOf(r.thingName, p.name);
      const rec = states.get(key) ?? { thingName: r.thingName, profileName: p.name, states: {}, active: 0, lastReportAt: new Date(r.at) };
      states.set(key, rec);
      dirty.set(key, rec);
      rec.lastReportAt = new Date(r.at);
      invalidateDropped(rec, p, writer, r.at);
      retained?.add(r, p);
      for (const rule of p.rules) {
        // A cloud-side period's values map is empty: it gives only cloud-side datapoints.
        const value = rule.spec.side === 'cloud' ? r.cloud && cloudValue(r.cloud, rule) : r.values.get(rule.spec.name);
        if (value === undefined) continue;
        let threshold: number | undefined;
        if (rule.criteria.criteriaType === 'STATISTICAL') {
          const n = value.count ?? value.number;
          if (typeof n === 'number') periodValues.push({ profileName: p.name, behaviorName: rule.behavior.name, periodStart: periodOf(r.at), thingName: r.thingName, value: n });
          threshold = await o.thresholds.get(tx, scope, p.name, rule, r.at);
        }
        let training: MlTraining | undefined;
        let model: MlModel | undefined;
        if (ml && rule.criteria.criteriaType === 'MACHINE_LEARNING') {
          training = ml.training(p.name, rule, r.at);
          model = activeModel(training, r.at, ml.options);
        }
        const slot = rec.states[rule.behavior.name] as BehaviorSlot | undefined;
        const out = evaluate(rule.criteria, slot?.s, { time: r.at, value }, threshold, model);
        // The value the behavior compared goes into the day's sketch (not a datapoint evaluation ignored as out of order).
        if (training && !(slot && r.at < slot.s.lastTime)) {
          const x = out.value.count ?? out.value.number;
          if (typeof x === 'number') ml!.add(p.name, rule.behavior.name, training.collectionStart, r.at, x);
        }
        const next: BehaviorSlot = { s: out.state, ...(slot?.v ? { v: slot.v } : {}) };
        if (out.event === 'in-alarm') {
          if (next.v) writer.close(next.v, 'alarm-invalidated', undefined, r.at, p.alertTopicArn);
          next.v = writer.open(r.thingName, p.name, rule.behavior, out.value, r.at, p.alertTopicArn);
        } else if (out.event === 'alarm-cleared') {
          if (next.v) writer.close(next.v, 'alarm-cleared', out.value, r.at, p.alertTopicArn);
          delete next.v;
        } else if (next.v && out.conforms === false) {
          writer.touch(next.v, out.value, r.at);
        }
        rec.states[rule.behavior.name] = next;
      }
      rec.active = Object.values(rec.states).filter((s) => (s as BehaviorSlot).v).length;
    }
  }
  if (periodValues.length) await tx.detectStates.addPeriodValues(scope, periodValues);
  if (ml) await ml.flush(tx);
  await retained?.flush(tx, scope);
  const alerts = await writer.flush();
  if (dirty.size) await tx.detectStates.save(scope, [...dirty.values()]);
  return alerts;
}

/** A behavior the profile no longer has (deleted, or renamed): its open violation ends, alarm-invalidated. */
function invalidateDropped(rec: DetectStateRecord, p: ProfileInfo, writer: ViolationWriter, at: number): void {
  for (const [name, slot] of Object.entries(rec.states)) {
    if (p.rules.some((r) => r.behavior.name === name)) continue;
    const v = (slot as BehaviorSlot).v;
    if (v) writer.close(v, 'alarm-invalidated', undefined, at, p.alertTopicArn);
    delete rec.states[name];
  }
}

const DAY_MS = 86_400_000;

const hasMlRules = (account: AccountDetect): boolean => account.profiles.some((p) => p.rules.some((r) => r.criteria.criteriaType === 'MACHINE_LEARNING'));

/**
 * What an ML behavior's training depends on: its metric (an ML behavior takes no duration and no
 * dimension). A behavior whose metric changes under the same name starts training anew.
 */
export const mlBehaviorKey = (behavior: Pick<Behavior, 'metric'>): string => behavior.metric ?? '';

interface DaySketch {
  profileName: string;
  behaviorName: string;
  trainingStart: number;
  day: number;
  sketch: MlSketch;
}

/**
 * This node's sketches of the values its ML behaviors compared, one per (scope, profile, behavior,
 * training, UTC day): the node's share of the day so far, which each evaluation round that adds to
 * it writes whole to the node's row of the day (migration 014). A round adds to copies (`working`)
 * that `commit` keeps once the round's transaction has committed and `discard` drops when it has
 * not, so a rolled-back round leaves no datapoint behind. Rounds run one at a time.
 */
export class MlSketches {
  /** This process's id among the nodes sharing the database. */
  readonly node = randomBytes(8).toString('hex');
  private readonly days = new Map<string, DaySketch>();
  private readonly pending = new Map<string, DaySketch>();

  /** The round's copy of a day's sketch, made on its first use in the round. */
  working(scope: Scope, profileName: string, behaviorName: string, trainingStart: number, day: number): DaySketch {
    const key = `${scope.accountId}/${scope.region}\n${profileName}\n${behaviorName}\n${trainingStart}\n${day}`;
    let w = this.pending.get(key);
    if (!w) {
      const kept = this.days.get(key)?.sketch;
      const sketch = kept ? { width: kept.width, count: kept.count, bins: { ...kept.bins } } : newSketch();
      w = { profileName, behaviorName, trainingStart, day, sketch };
      this.pending.set(key, w);
    }
    return w;
  }

  commit(): void {
    for (const [k, v] of this.pending) this.days.set(k, v);
    this.pending.clear();
  }

  discard(): void {
    this.pending.clear();
  }

  /** Forgets the sketches of days before `day` (their rows stay in the database). */
  forgetBefore(day: number): void {
    for (const [k, v] of this.days) if (v.day < day) this.days.delete(k);
  }
}

/** One round's ML work in one scope: the trainings it reads and starts, the sketches it adds to. */
class MlRound {
  private readonly trainings = new Map<string, MlTrainingRecord>();
  private readonly started: MlTrainingRecord[] = [];
  private readonly restarted: MlTrainingRecord[] = [];
  private readonly touched = new Set<DaySketch>();

  constructor(
    private readonly scope: Scope,
    records: readonly MlTrainingRecord[],
    readonly options: MlOptions,
    private readonly sketches: MlSketches,
  ) {
    for (const r of records) this.trainings.set(`${r.profileName}\n${r.behaviorName}`, r);
  }

  /** The behavior's training; one seen for the first time (or whose metric changed) starts at `at`. */
  training(profileName: string, rule: ProfileInfo['rules'][number], at: number): MlTraining {
    const k = `${profileName}\n${rule.behavior.name}`;
    const behaviorKey = mlBehaviorKey(rule.behavior);
    const known = this.trainings.get(k);
    if (known && known.behaviorKey === behaviorKey) return known.training as MlTraining;
    const training = startTraining(at);
    const r: MlTrainingRecord = { profileName, behaviorName: rule.behavior.name, behaviorKey, collectionStart: training.collectionStart, training };
    (known ? this.restarted : this.started).push(r);
    this.trainings.set(k, r);
    return training;
  }

  add(profileName: string, behaviorName: string, trainingStart: number, at: number, value: number): void {
    const w = this.sketches.working(this.scope, profileName, behaviorName, trainingStart, Math.floor(at / DAY_MS) * DAY_MS);
    addToSketch(w.sketch, value);
    this.touched.add(w);
  }

  /** Writes the trainings started and the day sketches touched: one row per behavior and day. */
  async flush(tx: StoreTx): Promise<void> {
    await tx.detectMl.startTrainings(this.scope, this.started, false);
    await tx.detectMl.startTrainings(this.scope, this.restarted, true);
    const rows: MlSketchRecord[] = [...this.touched].map((w) => ({
      profileName: w.profileName,
      behaviorName: w.behaviorName,
      day: w.day,
      trainingStart: w.trainingStart,
      datapoints: w.sketch.count,
      sketch: w.sketch,
    }));
    if (rows.length) await tx.detectMl.saveSketches(this.scope, this.sketches.node, rows);
  }
}
