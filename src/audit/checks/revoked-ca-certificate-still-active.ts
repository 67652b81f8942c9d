import { certResource } from '../cert-scan.js';
import { AUDITED_STATUS_SQL, groupBy, type AuditCheck, type CheckFinding } from '../check.js';
import { crlsInForce, problemsMessage, refreshCrls, urlsOf } from '../crls.js';

interface CaRow {
  certificate_id: string;
  issuer: string | null;
  serial_number: string | null;
  crl_urls: string | null;
}

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
    const { db, scope } = ctx;
    const cas = await db.all<CaRow>(
      `SELECT certificate_id, issuer, serial_number, crl_urls FROM ca_certificates WHERE account_id = ? AND region = ? AND ${AUDITED_STATUS_SQL}`,
      [scope.accountId, scope.region],
    );
    const problems = await refreshCrls(ctx, new Set(cas.flatMap((c) => urlsOf(c.crl_urls))));
    const byIssuer = groupBy(
      cas.filter((c) => c.issuer && c.serial_number),
      (c) => c.issuer!,
    );
    const found = new Map<string, CheckFinding>();
    if (byIssuer.size) {
      for await (const crl of crlsInForce(db, scope, new Set(byIssuer.keys()), problems)) {
        const revoked = new Set(crl.serials);
        for (const c of byIssuer.get(crl.header.issuer) ?? []) {
          if (!revoked.has(c.serial_number!)) continue;
          found.set(c.certificate_id, {
            ...certResource('ca_certificates', c.certificate_id),
            reasonForNonCompliance: "CA certificate is listed in its issuer's certificate revocation list but is still active in AWS IoT.",
            reasonForNonComplianceCode: 'CERTIFICATE_REVOKED_BY_ISSUER',
          });
        }
      }
    }
    return { status: 'evaluated', totalResourcesCount: cas.length, findings: [...found.values()], message: problemsMessage(problems) };
  },
};
