import { randomBytes } from 'node:crypto';
import type { Scope } from '../base/scope.js';
import { InvalidRequestException } from '../generated/errors.js';
import type {
  ActiveViolation,
  Behavior,
  BehaviorCriteriaType,
  MetricValue,
  VerificationState,
  ViolationEvent,
  ViolationEventAdditionalInfo,
  ViolationEventType,
} from '../generated/shapes.js';
import type { StoreTx } from '../store/store.js';
import type { ViolationEventRecord, ViolationRecord, ViolationRepo } from '../store/violations.js';

/** STATIC unless the criteria use a statistical threshold or ML detection. */
export function criteriaType(behavior: Behavior): BehaviorCriteriaType {
  if (behavior.criteria?.mlDetectionConfig) return 'MACHINE_LEARNING';
  if (behavior.criteria?.statisticalThreshold) return 'STATISTICAL';
  return 'STATIC';
}

/** ML behaviors report the confidence level they alarm at. */
function additionalInfo(behavior: Behavior): ViolationEventAdditionalInfo | undefined {
  const level = behavior.criteria?.mlDetectionConfig?.confidenceLevel;
  return level ? { confidenceLevel: level } : undefined;
}

/** The ActiveViolation that ListActiveViolations returns (and the engine acts on). */
export function violationFromRecord(v: ViolationRecord): ActiveViolation {
  const behavior = v.behavior as Behavior;
  return {
    violationId: v.violationId,
    thingName: v.thingName,
    securityProfileName: v.securityProfileName,
    behavior,
    lastViolationValue: v.lastViolationValue as MetricValue | undefined,
    violationEventAdditionalInfo: additionalInfo(behavior),
    verificationState: v.verificationState as VerificationState | undefined,
    verificationStateDescription: v.verificationStateDescription,
    lastViolationTime: v.lastViolationTime,
    violationStartTime: v.violationStartTime,
  };
}

export function eventFromRecord(e: ViolationEventRecord): ViolationEvent {
  const behavior = e.behavior as Behavior;
  return {
    violationId: e.violationId,
    thingName: e.thingName,
    securityProfileName: e.securityProfileName,
    behavior,
    metricValue: e.metricValue as MetricValue | undefined,
    violationEventAdditionalInfo: additionalInfo(behavior),
    violationEventType: e.eventType as ViolationEventType,
    verificationState: e.verificationState as VerificationState | undefined,
    verificationStateDescription: e.verificationStateDescription,
    violationEventTime: e.eventTime,
  };
}

/** A violation to record. Times default to `now`; an inactive one ends (alarm-cleared) at `now`. */
export interface NewViolation {
  violationId?: string;
  thingName: string;
  securityProfileName: string;
  behavior: Behavior;
  lastViolationValue?: MetricValue;
  violationStartTime?: Date;
  lastViolationTime?: Date;
  active?: boolean;
  /** Defaults to the behavior's suppressAlerts. */
  suppressed?: boolean;
  verificationState?: VerificationState;
  verificationStateDescription?: string;
}

/** Violation ids look like AWS's: 32 hexadecimal characters. */
export const newViolationId = (): string => randomBytes(16).toString('hex');

/**
 * Records violations and their events (in-alarm at the start; alarm-cleared at the end of an
 * inactive one) in the caller's transaction. An id that exists or repeats: InvalidRequestException.
 */
export async function addViolations(tx: StoreTx, scope: Scope, now: Date, violations: readonly NewViolation[]): Promise<string[]> {
  await tx.lock(scope, 'violations');
  const ids = violations.map((v) => v.violationId ?? newViolationId());
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new InvalidRequestException(`The violationId '${id}' appears more than once in violations.`);
    seen.add(id);
  }
  const clash = await tx.violations.existing(scope, ids);
  if (clash.length) throw new InvalidRequestException(`The violationId '${clash[0]}' already exists; violation ids must be unique.`);

  const records: ViolationRecord[] = [];
  const events: ViolationEventRecord[] = [];
  violations.forEach((v, i) => {
    const start = v.violationStartTime ?? now;
    // An inactive violation ends now, and at least 1 ms after it started, so its events order by time.
    const end = v.active === false ? new Date(Math.max(start.getTime() + 1, now.getTime())) : undefined;
    const record: ViolationRecord = {
      violationId: ids[i],
      thingName: v.thingName,
      securityProfileName: v.securityProfileName,
      behaviorName: v.behavior.name,
      behavior: v.behavior,
      criteriaType: criteriaType(v.behavior),
      lastViolationValue: v.lastViolationValue,
      lastViolationTime: v.lastViolationTime ?? start,
      violationStartTime: start,
      violationEndTime: end,
      verificationState: v.verificationState,
      verificationStateDescription: v.verificationStateDescription,
      suppressed: v.suppressed ?? v.behavior.suppressAlerts ?? false,
    };
    records.push(record);
    const event = (type: ViolationEventType, time: Date): ViolationEventRecord => ({
      violationId: record.violationId,
      eventType: type,
      eventTime: time,
      thingName: record.thingName,
      securityProfileName: record.securityProfileName,
      behaviorName: record.behaviorName,
      behavior: record.behavior,
      criteriaType: record.criteriaType,
      metricValue: type === 'in-alarm' ? record.lastViolationValue : undefined,
      verificationState: record.verificationState,
      verificationStateDescription: record.verificationStateDescription,
      suppressed: record.suppressed,
    });
    events.push(event('in-alarm', start));
    if (end !== undefined) events.push(event('alarm-cleared', end));
  });
  await tx.violations.insertMany(scope, records, events);
  return ids;
}

/**
 * Sets a violation's verification state (and its events'). PutVerificationStateOnViolation lists
 * no ResourceNotFoundException, so an unknown violation is an InvalidRequestException.
 */
export async function setVerificationState(violations: ViolationRepo, scope: Scope, violationId: string, state: VerificationState, description?: string): Promise<void> {
  const found = await violations.setVerification(scope, violationId, state, description ?? null);
  if (!found) throw new InvalidRequestException(`No violation with violationId '${violationId}' exists in this account and region.`);
}
