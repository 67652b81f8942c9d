import type { Scope } from '../base/scope.js';
import type { MetricValue } from '../generated/shapes.js';
import type { RetainedValueRecord } from '../store/detect-retained.js';
import type { StoreTx } from '../store/store.js';
import { cloudValue, type PeriodActivity } from './cloud.js';
import type { AccountDetect, ProfileInfo } from './profile-cache.js';

/**
 * The datapoints of the metrics security profiles retain (additionalMetricsToRetainV2, and
 * behaviors without criteria): for each thing a profile covers, every datapoint a report gives
 * the metric (a device-side or custom metric the report carries; a cloud-side metric of the
 * period, within its dimension) is kept with its time, whatever the behaviors make of it, for
 * RETAIN_MS. ListMetricValues reads them back.
 */

/** How long retained datapoints are kept: AWS's console charts the last 14 days of Detect metrics. */
export const RETAIN_MS = 14 * 86_400_000;

/** What retention reads of a report (evaluation.ts DeviceReport). */
interface Datapoints {
  thingName: string;
  values: ReadonlyMap<string, MetricValue>;
  at: number;
  cloud?: PeriodActivity;
}

/** One evaluation batch's retained datapoints, written with the batch's other rows. */
export class RetainedValues {
  private readonly rows: RetainedValueRecord[] = [];

  private constructor() {}

  /** The collector of a batch, or undefined when no profile of the scope retains a metric (then nothing is collected). */
  static of(account: AccountDetect): RetainedValues | undefined {
    return account.profiles.some((p) => p.retain.length > 0) ? new RetainedValues() : undefined;
  }

  /** The datapoints report `r` gives the metrics profile `p` (which covers its thing) retains. */
  add(r: Datapoints, p: ProfileInfo): void {
    for (const m of p.retain) {
      // A cloud-side period's values map is empty; a device report has no cloud activity.
      const value = m.spec.side === 'cloud' ? r.cloud && cloudValue(r.cloud, m) : r.values.get(m.spec.name);
      if (value === undefined) continue;
      this.rows.push({ thingName: r.thingName, profileName: p.name, metric: m.spec.name, dimensionName: m.dimensionName, dimensionOperator: m.dimensionOperator, at: r.at, value });
    }
  }

  /** Writes what was collected, in the batch's transaction. */
  async flush(tx: StoreTx, scope: Scope): Promise<void> {
    if (this.rows.length) await tx.detectRetained.save(scope, this.rows);
  }
}
