import type { Scope } from '../base/scope.js';
import type { StoreTx } from '../store/store.js';
import { percentile, sumsOverDuration, type Statistic } from './evaluate.js';
import type { ProfileInfo } from './profile-cache.js';

/** The 5-minute periods statistical values are kept by. */
export const PERIOD_MS = 300_000;

/** The start of the 5-minute period a time falls in. */
export const periodOf = (at: number): number => Math.floor(at / PERIOD_MS) * PERIOD_MS;

/**
 * The fleet statistics of statistical behaviors. AWS: "Metrics are collected … over the specified
 * duration from all reporting devices … percentiles are calculated" (SEMANTICS.md 7.2). Warden
 * takes, for a datapoint received in a period, the devices that reported for the behavior in the
 * duration that ended when that period began (each device's values summed over it for a metric
 * that sums, its latest value otherwise) and the statistic's percentile of them. Until one
 * duration of values exists the behavior has no threshold and is not evaluated. A value is
 * computed once per behavior and period on each node and kept in memory.
 */
export class Thresholds {
  private readonly cache = new Map<string, { end: number; value: number | undefined }>();

  async get(tx: StoreTx, scope: Scope, profileName: string, rule: ProfileInfo['rules'][number], at: number): Promise<number | undefined> {
    const duration = (rule.behavior.criteria?.durationSeconds ?? PERIOD_MS / 1000) * 1000;
    const end = periodOf(at);
    const key = `${scope.accountId}/${scope.region}/${profileName}/${rule.behavior.name}/${end}/${duration}`;
    const hit = this.cache.get(key);
    if (hit) return hit.value;
    const rows = await tx.detectStates.periodValues(scope, profileName, rule.behavior.name, end - duration, end);
    const sums = sumsOverDuration(rule.spec);
    const byThing = new Map<string, { at: number; value: number }>();
    for (const r of rows) {
      const prev = byThing.get(r.thingName);
      if (!prev) byThing.set(r.thingName, { at: r.periodStart, value: r.value });
      else if (sums) prev.value += r.value;
      else if (r.periodStart > prev.at) byThing.set(r.thingName, { at: r.periodStart, value: r.value });
    }
    const values = Float64Array.from([...byThing.values()].map((v) => v.value));
    const value = percentile(values, rule.criteria.statistic as Statistic);
    for (const [k, v] of this.cache) if (v.end < end - 3_600_000) this.cache.delete(k);
    this.cache.set(key, { end, value });
    return value;
  }
}
