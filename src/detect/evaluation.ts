import type { Scope } from '../base/scope.js';
import type { MetricValue } from '../generated/shapes.js';
import type { DetectStateRecord } from '../store/detect-states.js';
import type { StoreTx } from '../store/store.js';
import { evaluate, type BehaviorState } from './evaluate.js';
import { profilesFor, targetsOf, type AccountDetect, type ProfileInfo } from './profile-cache.js';
import { PERIOD_MS, type Thresholds } from './thresholds.js';
import { ViolationWriter } from './violation-writer.js';

/** One device-side report, as evaluation takes it. */
export interface DeviceReport {
  thingName: string;
  values: Map<string, MetricValue>;
  /** When it was received (ms): the time of its datapoints. */
  at: number;
}

/** What detect_states keeps per behavior: the evaluation state and the open violation's id. */
export interface BehaviorSlot {
  s: BehaviorState;
  v?: string;
}

const keyOf = (thing: string, profile: string) => `${thing}\n${profile}`;

/**
 * Evaluates a batch of one scope's device reports in the caller's transaction: for each report,
 * the profiles that apply to its thing (through its groups and the all/... targets), and for each
 * of their behaviors whose metric the report carries, one step of the behavior's state machine.
 * Violations open (in-alarm), move on, and end (alarm-cleared); behaviors the profile no longer
 * has end theirs (alarm-invalidated). States, violations, events and alerts are written in a few
 * statements. Answers the number of alerts written.
 */
export async function evaluateReports(
  tx: StoreTx,
  scope: Scope,
  account: AccountDetect,
  reports: readonly DeviceReport[],
  o: { snsDelivery: boolean; thresholds: Thresholds },
): Promise<number> {
  if (account.profiles.length === 0 || reports.length === 0) return 0;
  const names = [...new Set(reports.map((r) => r.thingName))];
  const membership = await tx.detectStates.membership(scope, names);
  const states = new Map<string, DetectStateRecord>();
  const byThing = new Map<string, DetectStateRecord[]>();
  for (const s of await tx.detectStates.ofThings(scope, names)) {
    states.set(keyOf(s.thingName, s.profileName), s);
    byThing.set(s.thingName, [...(byThing.get(s.thingName) ?? []), s]);
  }
  const writer = new ViolationWriter(tx, scope, o);
  const dirty = new Map<string, DetectStateRecord>();
  const periodValues: { profileName: string; behaviorName: string; periodStart: number; thingName: string; value: number }[] = [];

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
      for (const rule of p.rules) {
        if (rule.spec.side === 'cloud') continue;
        const value = r.values.get(rule.spec.name);
        if (value === undefined) continue;
        let threshold: number | undefined;
        if (rule.criteria.criteriaType === 'STATISTICAL') {
          const n = value.count ?? value.number;
          if (typeof n === 'number') periodValues.push({ profileName: p.name, behaviorName: rule.behavior.name, periodStart: Math.floor(r.at / PERIOD_MS) * PERIOD_MS, thingName: r.thingName, value: n });
          threshold = await o.thresholds.get(tx, scope, p.name, rule, r.at);
        }
        const slot = rec.states[rule.behavior.name] as BehaviorSlot | undefined;
        const out = evaluate(rule.criteria, slot?.s, { time: r.at, value }, threshold);
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
