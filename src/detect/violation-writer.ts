import { snsMessageId, wire } from '../actions/publish-finding-to-sns.js';
import type { Scope } from '../base/scope.js';
import type { Behavior, MetricValue, ViolationEventType } from '../generated/shapes.js';
import type { OutboxInsert } from '../store/outbox.js';
import type { StoreTx } from '../store/store.js';
import type { ViolationEventRecord, ViolationRecord } from '../store/violations.js';
import { criteriaType, eventFromRecord, newViolationId } from './violations.js';

/** The outbox action name that marks a Detect alert (no mitigation execution waits on it). */
export const DETECT_ALERT = 'DETECT_ALERT';

/**
 * Collects what one evaluation round does to violations (new ones, newer values, ends) with
 * their events and SNS alerts, and writes them in the round's transaction with few statements.
 *
 * The alert (SEMANTICS.md section 6, a ViolationEvent-like object, our format) is the
 * ViolationEvent as ListViolationEvents shows it (timestamps in epoch seconds) with `version`,
 * `accountId` and `region`; it goes to the profile's alertTargets SNS topic for in-alarm,
 * alarm-cleared and alarm-invalidated events, unless the behavior suppresses alerts, through the
 * same outbox and delivery as PUBLISH_FINDING_TO_SNS, with a message id stable per event.
 */
export class ViolationWriter {
  private readonly created: ViolationRecord[] = [];
  private readonly events: ViolationEventRecord[] = [];
  private readonly touched: { violationId: string; value?: MetricValue; at: number }[] = [];
  private readonly ended: { violationId: string; type: Exclude<ViolationEventType, 'in-alarm'>; value?: MetricValue; at: number; alertTopicArn?: string }[] = [];
  private readonly alerts: OutboxInsert[] = [];

  constructor(
    private readonly tx: StoreTx,
    private readonly scope: Scope,
    private readonly o: { snsDelivery: boolean },
  ) {}

  /** Opens a violation (in-alarm); answers its id. */
  open(thingName: string, profileName: string, behavior: Behavior, value: MetricValue | undefined, at: number, alertTopicArn: string | undefined): string {
    const start = new Date(at);
    const v: ViolationRecord = {
      violationId: newViolationId(),
      thingName,
      securityProfileName: profileName,
      behaviorName: behavior.name,
      behavior,
      criteriaType: criteriaType(behavior),
      lastViolationValue: value,
      lastViolationTime: start,
      violationStartTime: start,
      suppressed: behavior.suppressAlerts ?? false,
    };
    this.created.push(v);
    this.event(v, 'in-alarm', value, at, alertTopicArn);
    return v.violationId;
  }

  /** A newer violating value of an open violation. */
  touch(violationId: string, value: MetricValue | undefined, at: number): void {
    const fresh = this.created.find((c) => c.violationId === violationId);
    if (fresh) {
      fresh.lastViolationValue = value;
      fresh.lastViolationTime = new Date(at);
    } else this.touched.push({ violationId, value, at });
  }

  /** Ends an open violation with alarm-cleared (the device behaves again) or alarm-invalidated. */
  close(violationId: string, type: Exclude<ViolationEventType, 'in-alarm'>, value: MetricValue | undefined, at: number, alertTopicArn: string | undefined): void {
    const fresh = this.created.find((c) => c.violationId === violationId);
    if (!fresh) {
      this.ended.push({ violationId, type, value, at, alertTopicArn });
      return;
    }
    // An end in the same millisecond as the start still orders after it.
    const end = Math.max(at, fresh.violationStartTime.getTime() + 1);
    fresh.violationEndTime = new Date(end);
    this.event(fresh, type, type === 'alarm-cleared' ? value : undefined, end, alertTopicArn);
  }

  private event(
    v: ViolationRecord,
    type: ViolationEventType,
    value: MetricValue | undefined,
    at: number,
    alertTopicArn: string | undefined,
  ): void {
    const e: ViolationEventRecord = {
      violationId: v.violationId,
      eventType: type,
      eventTime: new Date(at),
      thingName: v.thingName,
      securityProfileName: v.securityProfileName,
      behaviorName: v.behaviorName,
      behavior: v.behavior,
      criteriaType: v.criteriaType,
      metricValue: value,
      verificationState: v.verificationState,
      verificationStateDescription: v.verificationStateDescription,
      suppressed: v.suppressed,
    };
    this.events.push(e);
    if (!alertTopicArn || v.suppressed) return;
    const key = { accountId: this.scope.accountId, region: this.scope.region, kind: 'detect' as const, taskId: `${type}@${at}`, targetId: v.violationId, actionName: DETECT_ALERT };
    this.alerts.push({
      messageId: snsMessageId(key),
      key,
      topicArn: alertTopicArn,
      message: JSON.stringify({ version: '1.0', accountId: this.scope.accountId, region: this.scope.region, ...(wire(eventFromRecord(e)) as object) }),
      state: this.o.snsDelivery ? 'PENDING' : 'STORED',
      createdAt: new Date(at),
    });
  }

  /** Writes everything collected; answers the number of alerts written. */
  async flush(): Promise<number> {
    const { tx, scope } = this;
    if (this.ended.length) {
      const open = new Map((await tx.violations.byIds(scope, this.ended.map((e) => e.violationId))).map((v) => [v.violationId, v]));
      for (const e of this.ended) {
        const v = open.get(e.violationId);
        if (!v || v.violationEndTime) continue;
        const end = Math.max(e.at, v.violationStartTime.getTime() + 1);
        v.violationEndTime = new Date(end);
        await tx.violations.end(scope, v.violationId, v.violationEndTime);
        this.event(v, e.type, e.type === 'alarm-cleared' ? e.value : undefined, end, e.alertTopicArn);
      }
    }
    if (this.created.length || this.events.length) await tx.violations.insertMany(scope, this.created, this.events);
    for (const t of this.touched) await tx.violations.touch(scope, t.violationId, t.value, new Date(t.at));
    if (this.alerts.length) await tx.outbox.insertMany(this.alerts);
    return this.alerts.length;
  }
}
