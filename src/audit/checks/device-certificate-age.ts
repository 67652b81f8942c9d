import { auditedPages, certResource, countAudited, thresholdDays } from '../cert-scan.js';
import { DAY_MS, type AuditCheck, type CheckFinding } from '../check.js';
import { CHECK_SETTINGS } from '../configuration.js';

/** The documented default of CERT_AGE_THRESHOLD_IN_DAYS (365). */
const DEFAULT_AGE_DAYS = CHECK_SETTINGS.DEVICE_CERTIFICATE_AGE_CHECK.CERT_AGE_THRESHOLD_IN_DAYS.default;

/**
 * DEVICE_CERTIFICATE_AGE_CHECK: a certificate "active for a number of days greater than or equal
 * to" the threshold. Its age counts from the start of its validity period (notBefore).
 */
export const deviceCertificateAge: AuditCheck = {
  name: 'DEVICE_CERTIFICATE_AGE_CHECK',
  severity: 'LOW',
  async run(ctx) {
    const days = thresholdDays(ctx, 'CERT_AGE_THRESHOLD_IN_DAYS', DEFAULT_AGE_DAYS);
    if (typeof days !== 'number') return days;
    const now = ctx.now.getTime();
    const findings: CheckFinding[] = [];
    const by = new Date(now - days * DAY_MS);
    for await (const page of auditedPages(ctx, (afterId, limit) => ctx.repos.certificateAudit.agedPage(ctx.scope, by, afterId, limit))) {
      for (const r of page) {
        const notBefore = r.notBefore.getTime();
        const age = Math.floor((now - notBefore) / DAY_MS);
        findings.push({
          ...certResource('certificates', r.certificateId),
          additionalInfo: { VALIDITY_START_TIME: String(notBefore) },
          reasonForNonCompliance: `Certificate has been valid since ${new Date(notBefore).toISOString()} (${age} days), at or past the ${days}-day age threshold; rotate it.`,
          reasonForNonComplianceCode: 'CERTIFICATE_PAST_AGE_THRESHOLD',
        });
      }
    }
    return { status: 'evaluated', totalResourcesCount: await countAudited(ctx, 'certificates'), findings };
  },
};
