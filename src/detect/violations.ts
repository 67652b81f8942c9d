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
import type { Driver } from '../store/driver.js';
import type { StoreTx } from '../store/store.js';
import { ViolationRepo, type ViolationEventRow, type ViolationRow } from '../store/violations.js';

/** STATIC unless the criteria use a statistical threshold or ML detection. */
export function criteriaType(behavior: Behavior): BehaviorCriteriaType {
  if (behavior.criteria?.mlDetectionConfig) return 'MACHINE_LEARNING';
  if (behavior.criteria?.statisticalThreshold) return 'STATISTICAL';
  return 'STATIC';
}

const json = <T>(text: string | null): T | undefined => (text === null ? undefined : (JSON.parse(text) as T));
const date = (ms: number | null): Date | undefined => (ms === null ? undefined : new Date(Number(ms)));

/** ML behaviors report the confidence level they alarm at. */
function additionalInfo(behavior: Behavior): ViolationEventAdditionalInfo | undefined {
  const level = behavior.criteria?.mlDetectionConfig?.confidenceLevel;
  return level ? { confidenceLevel: level } : undefined;
}

/** The ActiveViolation that ListActiveViolations returns (and the engine acts on). */
export function violationFromRow(row: ViolationRow): ActiveViolation {
  const behavior = JSON.parse(row.behavior) as Behavior;
  return {
    violationId: row.violation_id,
    thingName: row.thing_name,
    securityProfileName: row.security_profile_name,
    behavior,
    lastViolationValue: json<MetricValue>(row.last_violation_value),
    violationEventAdditionalInfo: additionalInfo(behavior),
    verificationState: (row.verification_state ?? undefined) as VerificationState | undefined,
    verificationStateDescription: row.verification_state_description ?? undefined,
    lastViolationTime: date(row.last_violation_time),
    violationStartTime: date(row.violation_start_time),
  };
}

export function eventFromRow(row: ViolationEventRow): ViolationEvent {
  const behavior = JSON.parse(row.behavior) as Behavior;
  return {
    violationId: row.violation_id,
    thingName: row.thing_name,
    securityProfileName: row.security_profile_name,
    behavior,
    metricValue: json<MetricValue>(row.metric_value),
    violationEventAdditionalInfo: additionalInfo(behavior),
    violationEventType: row.event_type as ViolationEventType,
    verificationState: (row.verification_state ?? undefined) as VerificationState | undefined,
    verificationStateDescription: row.verification_state_description ?? undefined,
    violationEventTime: date(row.event_time),
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

  const rows: ViolationRow[] = [];
  const events: ViolationEventRow[] = [];
  violations.forEach((v, i) => {
    const start = (v.violationStartTime ?? now).getTime();
    // An inactive violation ends now, and at least 1 ms after it started, so its events order by time.
    const end = v.active === false ? Math.max(start + 1, now.getTime()) : null;
    const row: ViolationRow = {
      violation_id: ids[i],
      thing_name: v.thingName,
      security_profile_name: v.securityProfileName,
      behavior_name: v.behavior.name,
      behavior: JSON.stringify(v.behavior),
      criteria_type: criteriaType(v.behavior),
      last_violation_value: v.lastViolationValue ? JSON.stringify(v.lastViolationValue) : null,
      last_violation_time: (v.lastViolationTime?.getTime() ?? start),
      violation_start_time: start,
      violation_end_time: end,
      verification_state: v.verificationState ?? null,
      verification_state_description: v.verificationStateDescription ?? null,
      suppressed: (v.suppressed ?? v.behavior.suppressAlerts ?? false) ? 1 : 0,
    };
    rows.push(row);
    const event = (type: ViolationEventType, time: number): ViolationEventRow => ({
      violation_id: row.violation_id,
      event_type: type,
      event_time: time,
      thing_name: row.thing_name,
      security_profile_name: row.security_profile_name,
      behavior_name: row.behavior_name,
      behavior: row.behavior,
      criteria_type: row.criteria_type,
      metric_value: type === 'in-alarm' ? row.last_violation_value : null,
      verification_state: row.verification_state,
      verification_state_description: row.verification_state_description,
      suppressed: row.suppressed,
    });
    events.push(event('in-alarm', start));
    if (end !== null) events.push(event('alarm-cleared', end));
  });
  await tx.violations.insertMany(scope, rows, events);
  return ids;
}

/**
 * Sets a violation's verification state (and its events'). PutVerificationStateOnViolation lists
 * no ResourceNotFoundException, so an unknown violation is an InvalidRequestException.
 */
export async function setVerificationState(db: Driver, scope: Scope, violationId: string, state: VerificationState, description?: string): Promise<void> {
  const found = await new ViolationRepo(db).setVerification(scope, violationId, state, description ?? null);
  if (!found) throw new InvalidRequestException(`No violation with violationId '${violationId}' exists in this account and region.`);
}
