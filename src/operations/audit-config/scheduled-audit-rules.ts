import type { Scope } from '../../base/scope.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { AuditFrequency, DayOfWeek } from '../../generated/shapes.js';
import { iotArn } from '../../registry/arn.js';
import type { ScheduledAuditRecord } from '../../store/scheduled-audits.js';

/** One lock for the audit configuration and the scheduled audits, whose rules read each other. */
export const AUDIT_CONFIGURATION_LOCK = 'audit-configuration';

/** AWS's quota: five scheduled audits per account (and region). */
export const MAX_SCHEDULED_AUDITS = 5;

export const scheduledAuditArn = (scope: Scope, name: string): string => iotArn(scope, `scheduledaudit/${name}`);

/** Check name → the scheduled audits that run it. */
export function checksInUse(audits: readonly ScheduledAuditRecord[]): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const a of audits) for (const c of a.checks) used.set(c, [...(used.get(c) ?? []), a.name]);
  return used;
}

/**
 * AWS: dayOfWeek "is required if the frequency parameter is set to WEEKLY or BIWEEKLY", dayOfMonth
 * "if ... MONTHLY". Warden also refuses a day that the frequency does not use, rather than
 * silently ignoring it.
 */
export function checkSchedule(s: { frequency: AuditFrequency; dayOfWeek?: DayOfWeek; dayOfMonth?: string }): void {
  const weekly = s.frequency === 'WEEKLY' || s.frequency === 'BIWEEKLY';
  if (weekly && s.dayOfWeek === undefined) throw new InvalidRequestException(`dayOfWeek is required when frequency is ${s.frequency}.`);
  if (!weekly && s.dayOfWeek !== undefined) throw new InvalidRequestException(`dayOfWeek applies only to WEEKLY and BIWEEKLY audits, not ${s.frequency}.`);
  if (s.frequency === 'MONTHLY' && s.dayOfMonth === undefined) throw new InvalidRequestException('dayOfMonth is required when frequency is MONTHLY.');
  if (s.frequency !== 'MONTHLY' && s.dayOfMonth !== undefined) throw new InvalidRequestException(`dayOfMonth applies only to MONTHLY audits, not ${s.frequency}.`);
}

