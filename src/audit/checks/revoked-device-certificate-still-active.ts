import { certResource } from '../cert-scan.js';
import type { AuditCheck, CheckFinding } from '../check.js';
import { crlsInForce, problemsMessage, refreshCrls, surveyDeviceCertificates } from '../crls.js';

/**
 * REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK: an ACTIVE or PENDING_TRANSFER device certificate
 * whose serial number a CRL of its issuer lists. The work goes per CRL: its revoked serials are
 * looked up in chunks on the (issuer, serial_number) index, so a registry without CRLs costs one
 * grouped count whatever its size. A CRL that could not be fetched or verified is named in the message.
 */
export const revokedDeviceCertificateStillActive: AuditCheck = {
  name: 'REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK',
  severity: 'MEDIUM',
  async run(ctx) {
    const { repos, scope } = ctx;
    const survey = await surveyDeviceCertificates(repos, scope);
    const problems = await refreshCrls(ctx, survey.urls);
    const found = new Map<string, CheckFinding>();
    for await (const crl of crlsInForce(repos, scope, undefined, problems)) {
      if (ctx.signal.aborted) break;
      for (const id of await repos.certificateAudit.revokedAmong(scope, crl.header.issuer, crl.serials)) {
        found.set(id, {
          ...certResource('certificates', id),
          reasonForNonCompliance: "Device certificate is listed in its issuer's certificate revocation list but is still active in AWS IoT.",
          reasonForNonComplianceCode: 'CERTIFICATE_REVOKED_BY_ISSUER',
        });
      }
    }
    return {
      status: 'evaluated',
      totalResourcesCount: survey.audited,
      findings: [...found.values()],
      message: problemsMessage(problems),
    };
  },
};
