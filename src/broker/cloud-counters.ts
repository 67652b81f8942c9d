import type { Logger } from 'pino';
import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';
import { addMessage, recordPeriodActivity, type PeriodActivity } from '../detect/cloud.js';
import { PERIOD_MS, periodOf } from '../detect/thresholds.js';
import type { Store } from '../store/store.js';
import { Batches, inParts } from './batches.js';

/** How often ended periods' counters are looked for and written: well within Detect's grace after a period ends (CLOUD_GRACE_MS, 5 s). */
const FLUSH_MS = 1000;
/**
 * How long the current period's counters gather before they are written: each write is one row
 * per active thing, so a thing has about ten rows in a 5-minute period (not one a second), and a
 * crash loses at most this much of the counts.
 */
export const CHECKPOINT_MS = 30_000;
/** The most source addresses kept per thing and batch. */
const MAX_IPS = 1000;

/**
 * What the broker sees of each thing, counted for Detect's seven cloud-side metrics: messages
 * published and delivered (per topic, with their sizes), authorization failures, connection
 * attempts, disconnects and source addresses. Counts gather in memory per (account, region) and
 * 5-minute period, in the form Detect stores (src/detect/cloud.ts), and are written through the
 * function POST /_warden/cloud-metrics uses: within a second of their period's end, so activity at
 * a period's end is counted in that period, and every CHECKPOINT_MS before; a packet never waits on
 * the database.
 */
export class CloudCounters {
  private readonly batches: Batches<Map<string, PeriodActivity>>;

  constructor(store: Store, log: Logger, private readonly clock: Clock) {
    this.batches = new Batches({
      store,
      log,
      what: 'cloud-side counters',
      everyMs: FLUSH_MS,
      empty: () => new Map(),
      parts: (things) => inParts(things).map((part) => new Map(part)),
      // An ended period's at once; the current one's every CHECKPOINT_MS.
      due: (period, since, now) => Number(period) + PERIOD_MS <= this.clock.now().getTime() || now - since >= CHECKPOINT_MS,
      write: (tx, scope, things, period) =>
        recordPeriodActivity(tx, scope, Number(period), [...things].map(([thingName, activity]) => ({ thingName, activity }))),
    });
  }

  /** The scope's batch of the period `now` is in, remembered per scope until the period changes or the batches are written. */
  private readonly current = new Map<string, { generation: number; period: number; things: Map<string, PeriodActivity> }>();

  private of(scope: Scope, thingName: string): PeriodActivity {
    const period = periodOf(this.clock.now().getTime());
    const key = `${scope.accountId}/${scope.region}`;
    let c = this.current.get(key);
    if (!c || c.period !== period || c.generation !== this.batches.generation) {
      c = { generation: this.batches.generation, period, things: this.batches.at(scope, String(period)) };
      this.current.set(key, c);
    }
    let a = c.things.get(thingName);
    if (!a) c.things.set(thingName, (a = {}));
    return a;
  }

  sent(scope: Scope, thingName: string, topic: string, bytes: number): void {
    addMessage(this.of(scope, thingName), 's', topic, bytes);
  }

  received(scope: Scope, thingName: string, topic: string, bytes: number): void {
    addMessage(this.of(scope, thingName), 'r', topic, bytes);
  }

  /** A refused connect (no topic), publish or subscribe. */
  authorizationFailure(scope: Scope, thingName: string, topic?: string): void {
    const a = (this.of(scope, thingName).a ??= {});
    a[topic ?? ''] = (a[topic ?? ''] ?? 0) + 1;
  }

  /** A CONNECT, allowed or not, from `sourceIp`. */
  connectionAttempt(scope: Scope, thingName: string, sourceIp: string | undefined): void {
    const a = this.of(scope, thingName);
    a.c = (a.c ?? 0) + 1;
    if (sourceIp && !(a.ip ??= []).includes(sourceIp) && a.ip.length < MAX_IPS) a.ip.push(sourceIp);
  }

  disconnect(scope: Scope, thingName: string): void {
    const a = this.of(scope, thingName);
    a.d = (a.d ?? 0) + 1;
  }

  flush(): Promise<void> {
    return this.batches.flush();
  }

  close(): Promise<void> {
    return this.batches.close();
  }
}
