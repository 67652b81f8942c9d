import type { Logger } from 'pino';
import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';
import type { Behavior, MetricValue } from '../generated/shapes.js';
import { datapointTime, mergeActivity, type PeriodActivity } from './cloud.js';
import type { Store } from '../store/store.js';
import { WorkLoop } from '../work/loop.js';
import type { MlTrainingRecord } from '../store/detect-ml.js';
import { evaluateReports, mlBehaviorKey, MlSketches, type DeviceReport } from './evaluation.js';
import { mergeSketches, ML_DEFAULTS, refresh, refreshDue, trainingWindowStart, type MlOptions, type MlSketch, type MlTraining } from './ml.js';
import { ProfileCache } from './profile-cache.js';
import { periodOf, Thresholds } from './thresholds.js';
import { checkThingName, parseMetricsReport } from './report.js';
import { invalidateSilent, SILENCE_MS } from './invalidation.js';
import { RETAIN_MS } from './retained.js';

/** AWS: "If metrics are sent faster than 5 minutes for one thing, it may be throttled." */
export const REPORT_MIN_PERIOD_MS = 300_000;

/** What the `accepted` or `rejected` topic would carry for a report (SEMANTICS.md 7.4). */
export interface ReportAnswer {
  thingName: string;
  reportId?: number;
  status: 'ACCEPTED' | 'REJECTED';
  statusDetails?: { ErrorCode: string; ErrorMessage: string };
}

export interface DetectorOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Refuse a thing's reports that come less than 300 s apart (AWS's documented minimum); default true. */
  throttleReports?: boolean;
  /** Whether an SNS delivery worker runs (alerts are PENDING for it), else they stay STORED in the outbox. */
  snsDelivery: boolean;
  /** Called when alerts were written, so delivery looks now. */
  onAlerts?: () => void;
  /** Run the evaluation and sweep loops on this node (default true). */
  run?: boolean;
  /** ML Detect's training minimums (default AWS's: 14 days, 25,000 datapoints). */
  ml?: MlOptions;
}

interface Pending extends DeviceReport {
  scope: Scope;
  done: (error?: unknown) => void;
}

const BATCH = 2000;
/** How long after a period's end its cloud-side activity is evaluated (recordings in flight at the boundary commit first). */
export const CLOUD_GRACE_MS = 5000;
const NO_VALUES: Map<string, MetricValue> = new Map();
const SWEEP_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Detect's evaluation on this node. Device reports (the broker's reserved topics and the admin
 * endpoint) are parsed and answered as AWS answers on the `accepted` / `rejected`
 * topics; an accepted report waits in memory for the next evaluation round, which evaluates up
 * to BATCH reports of a scope in one transaction (states, violations, events, alerts), and the
 * report's answer is given once that transaction has committed, so an accepted report is never
 * lost. A sweep invalidates the violations of things silent for two days and purges old values
 * (retained metric values after RETAIN_MS).
 *
 * ML Detect: a round adds the values its ML behaviors compared to this node's sketch of the day
 * (written in the round's transaction) and evaluates them against the behavior's ACTIVE model;
 * the sweep rebuilds each model whose daily refresh is due from the merged sketches (every node's)
 * of the trailing training window, deletes older sketches, and forgets the trainings of behaviors
 * that are gone.
 */
export class Detector {
  private queue: Pending[] = [];
  private readonly lastReport = new Map<string, number>();
  readonly profiles: ProfileCache;
  private readonly thresholds = new Thresholds();
  private readonly sketches = new MlSketches();
  /** The ML options in force (the defaults filled in). */
  readonly mlOptions: Required<MlOptions>;
  private sketchDay = 0;
  /** The cloud-side activity of periods that started before this is evaluated (on this node's last look). */
  private cloudDoneBefore = 0;
  private readonly loop: WorkLoop;
  private readonly sweep: WorkLoop;

  constructor(private readonly o: DetectorOptions) {
    this.mlOptions = { ...ML_DEFAULTS, ...o.ml };
    this.profiles = new ProfileCache(o.store.repos);
    this.loop = new WorkLoop({ name: 'detect evaluation', log: o.log, idleMs: 1000, round: () => this.round() });
    this.sweep = new WorkLoop({ name: 'detect sweep', log: o.log, idleMs: SWEEP_MS, firstDelayMs: 1000, round: () => this.sweepRound() });
  }

  /** The evaluation loop runs on every node that takes reports; the sweep only where `run` is not false. */
  async start(): Promise<void> {
    await Promise.all([this.loop.start(), this.o.run === false ? undefined : this.sweep.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.loop.stop(), this.sweep.stop()]);
    for (const p of this.queue.splice(0)) p.done(new Error('Warden is stopping'));
  }

  /**
   * One device-side metrics report of `thingName` (JSON or CBOR, the document of SEMANTICS.md
   * 7.4). Answers ACCEPTED once it is evaluated and stored, or REJECTED with the reason.
   */
  async submitDeviceReport(scope: Scope, thingName: string, payload: Uint8Array, format: 'json' | 'cbor'): Promise<ReportAnswer> {
    const reject = (code: string, message: string, reportId?: number): ReportAnswer => ({
      thingName,
      ...(reportId !== undefined ? { reportId } : {}),
      status: 'REJECTED',
      statusDetails: { ErrorCode: code, ErrorMessage: message },
    });
    const badName = checkThingName(thingName);
    if (badName) return reject('InvalidPayload', badName);
    const account = await this.profiles.get(scope);
    const parsed = parseMetricsReport(payload, format, (name) => account.customMetrics.get(name));
    if (parsed.error) return reject(parsed.error.code, parsed.error.message);
    const { report } = parsed;
    const now = this.o.clock.now().getTime();
    const key = `${scope.accountId}/${scope.region}/${thingName}`;
    const last = this.lastReport.get(key);
    if (this.o.throttleReports !== false && last !== undefined && now - last < REPORT_MIN_PERIOD_MS) {
      return reject(
        'Throttled',
        `Reports of thing ${thingName} came ${Math.round((now - last) / 1000)} s apart; Device Defender takes at most one report per thing every 300 seconds.`,
        report.reportId,
      );
    }
    this.lastReport.set(key, now);
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ scope, thingName, values: report.values, at: now, done: (e) => (e ? reject(e) : resolve()) });
      this.loop.wake();
    });
    return { thingName, reportId: report.reportId, status: 'ACCEPTED' };
  }

  /**
   * One evaluation round: the waiting device reports of one scope (up to BATCH), then, once a
   * 5-minute period has ended (and CLOUD_GRACE_MS more), a batch of its cloud-side activity.
   */
  private async round(): Promise<boolean> {
    let more = false;
    if (this.queue.length > 0) more = await this.deviceRound();
    if (this.cloudDue()) more = (await this.cloudRound()) || more;
    return more;
  }

  /** Periods that started before this have ended (CLOUD_GRACE_MS ago at least). */
  private cloudBefore(): number {
    return periodOf(this.o.clock.now().getTime() - CLOUD_GRACE_MS);
  }

  private cloudDue(): boolean {
    return this.cloudDoneBefore < this.cloudBefore();
  }

  /**
   * Claims the activity of up to BATCH things of one scope in the oldest ended period, evaluates
   * it and deletes it, in one transaction. Answers whether more may wait; when none does, the
   * periods before `cloudBefore()` are done on this node.
   */
  private async cloudRound(): Promise<boolean> {
    const before = this.cloudBefore();
    try {
      let evaluated = 0;
      let alerts = 0;
      await this.o.store.transaction(async (tx) => {
        const claimed = await tx.detectCloud.claimPeriod(before, BATCH);
        evaluated = claimed.length;
        if (claimed.length === 0) return;
        const scope = claimed[0].scope;
        const reports: DeviceReport[] = claimed.map((c) => ({
          thingName: c.thingName,
          values: NO_VALUES,
          at: datapointTime(c.periodStart),
          cloud: mergeActivity(c.activities as PeriodActivity[]),
        }));
        alerts = await evaluateReports(tx, scope, await this.profiles.get(scope, tx), reports, this.evaluationOptions());
      });
      this.sketches.commit();
      if (alerts > 0) this.o.onAlerts?.();
      if (evaluated === 0) this.cloudDoneBefore = before;
      return evaluated > 0;
    } catch (e) {
      this.sketches.discard();
      this.o.log.error({ err: e }, 'detect cloud-side evaluation failed');
      return false;
    }
  }

  private evaluationOptions() {
    return { snsDelivery: this.o.snsDelivery, thresholds: this.thresholds, ml: { options: this.mlOptions, sketches: this.sketches } };
  }

  /**
   * Resolves once the cloud-side activity of every ended period is evaluated (tests, after
   * advancing the clock); rejects after `timeoutMs` of wall time (a round that keeps failing).
   */
  async cloudSettled(timeoutMs = 30_000): Promise<void> {
    const target = this.cloudBefore();
    const deadline = Date.now() + timeoutMs;
    while (this.cloudDoneBefore < target) {
      if (Date.now() > deadline) throw new Error(`the cloud-side activity of the periods before ${new Date(target).toISOString()} was not evaluated within ${timeoutMs} ms`);
      this.loop.wake();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Evaluates the waiting reports of one scope (up to BATCH), in one transaction. */
  private async deviceRound(): Promise<boolean> {
    const scope = this.queue[0].scope;
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.queue) {
      if (batch.length < BATCH && p.scope.accountId === scope.accountId && p.scope.region === scope.region) batch.push(p);
      else rest.push(p);
    }
    this.queue = rest;
    try {
      const account = await this.profiles.get(scope);
      const alerts = await this.o.store.transaction((tx) => evaluateReports(tx, scope, account, batch, this.evaluationOptions()));
      this.sketches.commit();
      for (const p of batch) p.done();
      if (alerts > 0) this.o.onAlerts?.();
      const today = Math.floor(batch[batch.length - 1].at / DAY_MS) * DAY_MS;
      if (today !== this.sketchDay) {
        this.sketches.forgetBefore(today - DAY_MS);
        this.sketchDay = today;
      }
    } catch (e) {
      this.sketches.discard();
      this.o.log.error({ err: e }, 'detect evaluation failed');
      for (const p of batch) p.done(e);
    }
    return this.queue.length > 0;
  }

  private async sweepRound(): Promise<boolean> {
    const now = this.o.clock.now();
    const more = await invalidateSilent(this.o.store, this.profiles, now, { snsDelivery: this.o.snsDelivery });
    if (more.alerts > 0) this.o.onAlerts?.();
    for (const [k, t] of this.lastReport) if (now.getTime() - t >= REPORT_MIN_PERIOD_MS) this.lastReport.delete(k);
    await this.o.store.repos.detectStates.purgePeriodValues(now.getTime() - 2 * 3600_000);
    await this.o.store.repos.detectRetained.purgeBefore(now.getTime() - RETAIN_MS);
    await this.refreshModels(now.getTime());
    return more.more;
  }

  /**
   * The ML half of the sweep: each training whose refresh is due (ml.ts refreshDue: its first
   * window has passed and no attempt was made for a day) is rebuilt from the merged sketches of the
   * trailing window, i.e. the UTC days that overlap it; trainings whose profile is gone (or was
   * made again since), or whose behavior is gone, no longer ML, or on another metric, are deleted
   * with their sketches; sketches of days wholly before the window are deleted.
   */
  private async refreshModels(now: number): Promise<void> {
    const o = this.mlOptions;
    const { store } = this.o;
    const fromDay = Math.floor(trainingWindowStart(now, o) / DAY_MS) * DAY_MS;
    const byScope = new Map<string, { scope: Scope; trainings: MlTrainingRecord[] }>();
    for (const t of await store.repos.detectMl.allTrainings()) {
      const k = `${t.scope.accountId}/${t.scope.region}`;
      const entry = byScope.get(k) ?? { scope: t.scope, trainings: [] };
      entry.trainings.push(t);
      byScope.set(k, entry);
    }
    for (const { scope, trainings } of byScope.values()) {
      const profiles = new Map((await store.repos.detectMl.profileBehaviors(scope)).map((p) => [p.name, p]));
      const gone: MlTrainingRecord[] = [];
      for (const t of trainings) {
        const p = profiles.get(t.profileName);
        const b = p?.behaviors.find((x) => (x as { name?: string }).name === t.behaviorName) as Behavior | undefined;
        if (!p || !b?.criteria?.mlDetectionConfig || mlBehaviorKey(b) !== t.behaviorKey || p.createdAt > t.collectionStart) {
          gone.push(t);
          continue;
        }
        const training = t.training as MlTraining;
        if (!refreshDue(training, now, o)) continue;
        const window = mergeSketches((await store.repos.detectMl.sketches(scope, t.profileName, t.behaviorName, t.collectionStart, fromDay)) as MlSketch[]);
        await store.repos.detectMl.saveTraining(scope, { ...t, training: refresh(training, window, now, o) });
      }
      if (gone.length) await store.transaction((tx) => tx.detectMl.deleteTrainings(scope, gone));
    }
    await store.repos.detectMl.purgeSketches(fromDay);
  }

  /** Runs a sweep now (tests: after advancing the clock past SILENCE_MS). */
  async sweepNow(): Promise<void> {
    while (await this.sweepRound());
  }
}

export { SILENCE_MS };
