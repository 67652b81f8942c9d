import type { Scope } from '../base/scope.js';
import { InvalidRequestException } from '../generated/errors.js';
import type { AuditCheckConfigurations, AuditNotificationTarget, UpdateAccountAuditConfigurationRequest } from '../generated/shapes.js';
import type { AuditConfigurationRecord, StoredAuditCheck } from '../store/audit-configurations.js';
import type { Repos } from '../store/store.js';
import { CHECK_NAMES, requireCheckName } from './checks.js';

/**
 * The account audit configuration: which checks are enabled (and their settings), the audit role,
 * and the SNS target of audit notifications. A scope that has never been configured (or whose
 * configuration was deleted) has every check disabled, as DeleteAccountAuditConfiguration leaves
 * it ("all audit checks are reset to disabled").
 */
interface CheckSetting {
  enabled: boolean;
  /** The check's settings with defaults filled in (e.g. CERT_AGE_THRESHOLD_IN_DAYS: "365"); {} for most checks. */
  configuration: Record<string, string>;
}

export interface AuditConfiguration {
  roleArn?: string;
  notification?: { targetArn: string; roleArn: string; enabled: boolean };
  checks: Record<string, CheckSetting>;
}

/** What is stored per check: the settings the caller gave, without defaults. */
type StoredChecks = Record<string, StoredAuditCheck>;

/**
 * The `configuration` names each check accepts, their ranges in days and defaults. The age check's
 * range and default are AWS's (30–3652, 365). AWS documents no range for the expiration threshold:
 * Warden accepts 1–3652 (one day to ten years, the age check's maximum) and defaults to the 30
 * days of the check's documentation.
 */
export const CHECK_SETTINGS: Readonly<Record<string, Readonly<Record<string, { min: number; max: number; default: number }>>>> = {
  DEVICE_CERTIFICATE_AGE_CHECK: { CERT_AGE_THRESHOLD_IN_DAYS: { min: 30, max: 3652, default: 365 } },
  DEVICE_CERTIFICATE_EXPIRING_CHECK: { CERT_EXPIRATION_THRESHOLD_IN_DAYS: { min: 1, max: 3652, default: 30 } },
};

const storedChecks = (row: AuditConfigurationRecord | undefined): StoredChecks => ({ ...row?.checks });
const storedNotify = (row: AuditConfigurationRecord | undefined): AuditNotificationTarget | undefined => row?.notify;

function withDefaults(check: string, given: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, s] of Object.entries(CHECK_SETTINGS[check] ?? {})) out[name] = given?.[name] ?? String(s.default);
  return out;
}

/** The configuration the audit runner and StartOnDemandAuditTask use: every known check, defaults filled in. */
export async function readAuditConfiguration(repos: Pick<Repos, 'auditConfigurations'>, scope: Scope): Promise<AuditConfiguration> {
  const row = await repos.auditConfigurations.get(scope);
  const stored = storedChecks(row);
  const checks: Record<string, CheckSetting> = {};
  for (const name of CHECK_NAMES) checks[name] = { enabled: stored[name]?.enabled ?? false, configuration: withDefaults(name, stored[name]?.configuration) };
  const sns = storedNotify(row);
  return {
    roleArn: row?.roleArn,
    notification: sns?.targetArn && sns.roleArn ? { targetArn: sns.targetArn, roleArn: sns.roleArn, enabled: sns.enabled ?? false } : undefined,
    checks,
  };
}

/** DescribeAccountAuditConfiguration's answer: every known check with its state; `configuration` as the caller set it. */
export function describeConfiguration(row: AuditConfigurationRecord | undefined): {
  roleArn?: string;
  auditNotificationTargetConfigurations?: Record<string, AuditNotificationTarget>;
  auditCheckConfigurations: AuditCheckConfigurations;
} {
  const stored = storedChecks(row);
  const checks: AuditCheckConfigurations = {};
  for (const name of CHECK_NAMES) {
    const s = stored[name];
    checks[name] = s?.configuration && Object.keys(s.configuration).length ? { enabled: s.enabled, configuration: s.configuration } : { enabled: s?.enabled ?? false };
  }
  const sns = storedNotify(row);
  return { roleArn: row?.roleArn, auditNotificationTargetConfigurations: sns ? { SNS: sns } : undefined, auditCheckConfigurations: checks };
}

function checkSettings(check: string, configuration: Record<string, string>): void {
  const allowed = CHECK_SETTINGS[check] ?? {};
  for (const [name, value] of Object.entries(configuration)) {
    const s = allowed[name];
    if (!s) {
      const names = Object.keys(allowed);
      throw new InvalidRequestException(
        `auditCheckConfigurations.${check}.configuration: ${name} does not apply to ${check}${names.length ? `; it accepts ${names.join(', ')}` : '; it takes no configuration'}.`,
      );
    }
    if (!/^\d{1,9}$/.test(value) || Number(value) < s.min || Number(value) > s.max) {
      throw new InvalidRequestException(`auditCheckConfigurations.${check}.configuration.${name} must be a whole number of days from ${s.min} to ${s.max}; got '${value}'.`);
    }
  }
}

const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** Merges one SNS target into the stored one, member by member; an enabled target needs both ARNs. */
function mergeTarget(stored: AuditNotificationTarget | undefined, given: AuditNotificationTarget): AuditNotificationTarget {
  const t: AuditNotificationTarget = {
    targetArn: given.targetArn ?? stored?.targetArn,
    roleArn: given.roleArn ?? stored?.roleArn,
    enabled: given.enabled ?? stored?.enabled ?? false,
  };
  if (t.targetArn !== undefined && !SNS_ARN.test(t.targetArn)) {
    throw new InvalidRequestException(`auditNotificationTargetConfigurations.SNS.targetArn '${t.targetArn}' is not an SNS topic ARN.`);
  }
  if (t.enabled && (!t.targetArn || !t.roleArn)) {
    throw new InvalidRequestException(`auditNotificationTargetConfigurations.SNS needs a targetArn and a roleArn to be enabled.`);
  }
  return t;
}

/**
 * UpdateAccountAuditConfiguration's rules, giving the configuration to store. Checks the request does not
 * name keep their state; a named check takes the `enabled` it is given (else keeps its own) and its
 * `configuration` is replaced when one is given. The first update must enable a check (AWS: "On
 * the first call ... this parameter is required and must specify at least one enabled check").
 * A check that a scheduled audit uses cannot be disabled (`inUse`: check name → scheduled audits).
 */
export function updatedConfiguration(
  row: AuditConfigurationRecord | undefined,
  input: UpdateAccountAuditConfigurationRequest,
  inUse: ReadonlyMap<string, string[]>,
  now: Date,
): AuditConfigurationRecord {
  const checks = storedChecks(row);
  const given = input.auditCheckConfigurations ?? {};
  for (const [name, c] of Object.entries(given)) {
    requireCheckName(name, 'auditCheckConfigurations');
    if (c.configuration) checkSettings(name, c.configuration);
    const enabled = c.enabled ?? checks[name]?.enabled ?? false;
    if (!enabled && inUse.has(name)) {
      throw new InvalidRequestException(
        `${name} cannot be disabled: the scheduled audit(s) ${inUse.get(name)!.join(', ')} use it; remove it from them or delete them first.`,
      );
    }
    checks[name] = { enabled, configuration: c.configuration ?? checks[name]?.configuration };
  }
  if (!row && !Object.values(checks).some((c) => c.enabled)) {
    throw new InvalidRequestException('auditCheckConfigurations is required on the first UpdateAccountAuditConfiguration and must enable at least one check.');
  }
  const targets = input.auditNotificationTargetConfigurations ?? {};
  const sns = targets.SNS ? mergeTarget(storedNotify(row), targets.SNS) : storedNotify(row);
  return { roleArn: input.roleArn ?? row?.roleArn, notify: sns, checks, updatedAt: now };
}

/** Which of `checks` are enabled in this configuration. */
export function enabledChecks(row: AuditConfigurationRecord | undefined): Set<string> {
  return new Set(
    Object.entries(storedChecks(row))
      .filter(([, c]) => c.enabled)
      .map(([name]) => name),
  );
}

/** targetCheckNames: at least one, each a known check and enabled in the account audit configuration; duplicates dropped. */
export function checkTargets(names: readonly string[], enabled: ReadonlySet<string>): string[] {
  if (names.length === 0) throw new InvalidRequestException('targetCheckNames must name at least one audit check.');
  for (const n of names) {
    requireCheckName(n, 'targetCheckNames');
    if (!enabled.has(n)) {
      throw new InvalidRequestException(`targetCheckNames: ${n} is not enabled in the account audit configuration; enable it with UpdateAccountAuditConfiguration first.`);
    }
  }
  return [...new Set(names)];
}
