import { auditedPages, certResource, countAudited, thresholdDays, type CertTable } from '../cert-scan.js';
import { DAY_MS, type AuditCheck, type CheckFinding } from '../check.js';
import { CHECK_SETTINGS } from '../configuration.js';

/** AWS's check pages: "expiring within 30 days or has expired" (also the CA check's fixed threshold). */
const DEFAULT_EXPIRATION_DAYS = CHECK_SETTINGS.DEVICE_CERTIFICATE_EXPIRING_CHECK.CERT_EXPIRATION_THRESHOLD_IN_DAYS.default;

/**
 * An expiring-certificate check over one table. A certificate is past expiration once `now` is
 * after its notAfter (notAfter itself is still inside the validity period, RFC 5280), and
 * approaching expiration when notAfter falls within the threshold. `configKey` names the
 * configuration value that overrides the threshold, for the checks that have one.
 */
export function expiringCheck(o: { name: string; table: CertTable; label: string; configKey?: string }): AuditCheck {
  return {
    name: o.name,
    severity: 'MEDIUM',
    async run(ctx) {
      const days = o.configKey ? thresholdDays(ctx, o.configKey, DEFAULT_EXPIRATION_DAYS) : DEFAULT_EXPIRATION_DAYS;
      if (typeof days !== 'number') return days;
      const now = ctx.now.getTime();
      const findings: CheckFinding[] = [];
      const by = new Date(now + days * DAY_MS);
      for await (const page of auditedPages(ctx, (afterId, limit) => ctx.repos.certificateAudit.expiringPage(ctx.scope, o.table, by, afterId, limit))) {
        for (const r of page) {
          const notAfter = r.notAfter.getTime();
          const date = new Date(notAfter).toISOString();
          const past = notAfter < now;
          findings.push({
            ...certResource(o.table, r.certificateId),
            additionalInfo: { EXPIRATION_TIME: String(notAfter) },
            reasonForNonCompliance: past
              ? `${o.label} expired on ${date}; replace it and deactivate this one.`
              : `${o.label} expires on ${date}, within ${days} days; replace it before then.`,
            reasonForNonComplianceCode: past ? 'CERTIFICATE_PAST_EXPIRATION' : 'CERTIFICATE_APPROACHING_EXPIRATION',
          });
        }
      }
      return { status: 'evaluated', totalResourcesCount: await countAudited(ctx, o.table), findings };
    },
  };
}

/** DEVICE_CERTIFICATE_EXPIRING_CHECK: threshold configurable with CERT_EXPIRATION_THRESHOLD_IN_DAYS. */
export const deviceCertificateExpiring = expiringCheck({
  name: 'DEVICE_CERTIFICATE_EXPIRING_CHECK',
  table: 'certificates',
  label: 'Certificate',
  configKey: 'CERT_EXPIRATION_THRESHOLD_IN_DAYS',
});
