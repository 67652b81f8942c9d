import { certResource } from '../cert-scan.js';
import { groupBy, type AuditCheck, type CheckFinding } from '../check.js';
import { crlsInForce, problemsMessage, refreshCrls } from '../crls.js';

/**
 * REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK: an ACTIVE (or PENDING_TRANSFER) CA certificate whose
 * serial number a CRL of its own issuer lists. CA certificates are few (AWS allows 10 per subject
 * and an account holds hundreds at most), so they are read at once and matched in memory against
 * the CRLs of their issuers.
 */
export const revokedCaCertificateStillActive: AuditCheck = {
  name: 'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK',
  severity: 'CRITICAL',
  async run(ctx) {
    const { repos, scope } = ctx;
    const cas = await repos.certificateAudit.auditedCas(scope);
    const problems = await refreshCrls(ctx, new Set(cas.flatMap((c) => c.crlUrls)));
    const byIssuer = groupBy(
      cas.filter((c) => c.issuer && c.serialNumber),
      (c) => c.issuer!,
    );
    const found = new Map<string, CheckFinding>();
    if (byIssuer.size) {
      for await (const crl of crlsInForce(repos, scope, new Set(byIssuer.keys()), problems)) {
        const revoked = new Set(crl.serials);
        for (const c of byIssuer.get(crl.header.issuer) ?? []) {
          if (!revoked.has(c.serialNumber!)) continue;
          found.set(c.certificateId, {
            ...certResource('ca_certificates', c.certificateId),
            reasonForNonCompliance: "CA certificate is listed in its issuer's certificate revocation list but is still active in AWS IoT.",
            reasonForNonComplianceCode: 'CERTIFICATE_REVOKED_BY_ISSUER',
          });
        }
      }
    }
    return { status: 'evaluated', totalResourcesCount: cas.length, findings: [...found.values()], message: problemsMessage(problems) };
  },
};
