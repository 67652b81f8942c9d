import type { IssuedDevice, IssuingCa as Intermediate } from '../../store/certificate-audit.js';
import { countAudited } from '../cert-scan.js';
import { groupBy, type AuditCheck, type CheckFinding } from '../check.js';
import { oneLine } from '../crl-der.js';
import { crlsInForce, problemsMessage, refreshCrls } from '../crls.js';

/** Device certificates read per query (a setting so tests can make pages small). */
export const devicePage = { rows: 5000 };

/**
 * INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK: an ACTIVE or PENDING_TRANSFER
 * device certificate whose issuing CA has been revoked by that CA's own issuer. The intermediate
 * is the registered CA certificate (any status) whose subject is the device certificate's issuer
 * and which is not self-issued; it is revoked when a CRL of its issuer lists its serial number.
 * A device certificate registered with a CA (ca_certificate_id) is judged by that CA, so a
 * revoked CA does not taint certificates of a renewed CA that kept its name.
 */
export const intermediateCaRevokedForActiveDeviceCertificates: AuditCheck = {
  name: 'INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK',
  severity: 'CRITICAL',
  async run(ctx) {
    const { repos, scope } = ctx;
    // Only CAs that issued an audited device certificate can produce a finding.
    const issuing = await repos.certificateAudit.issuingIntermediates(scope);
    const urls = new Set<string>();
    for (const c of issuing) for (const u of c.crlUrls) urls.add(u);
    const problems = await refreshCrls(ctx, urls);

    const byIssuer = groupBy(issuing, (c) => c.issuer);
    const revoked = new Map<string, Intermediate>();
    if (byIssuer.size) {
      for await (const crl of crlsInForce(repos, scope, new Set(byIssuer.keys()), problems)) {
        const serials = new Set(crl.serials);
        for (const c of byIssuer.get(crl.header.issuer) ?? []) if (serials.has(c.serialNumber)) revoked.set(c.certificateId, c);
      }
    }

    const findings: CheckFinding[] = [];
    const subjects = new Map<string, Intermediate>();
    for (const c of revoked.values()) if (!subjects.has(c.subject)) subjects.set(c.subject, c);
    for (const [subject, byName] of subjects) {
      let last: IssuedDevice | undefined;
      for (;;) {
        if (ctx.signal.aborted) break;
        const rows = await repos.certificateAudit.issuedPage(scope, subject, last, devicePage.rows);
        for (const d of rows) {
          // Registered with a CA: that CA decides; registered without one: the name does.
          const ca = d.caCertificateId ? revoked.get(d.caCertificateId) : byName;
          if (ca) findings.push(finding(d, ca));
        }
        if (rows.length < devicePage.rows) break;
        last = rows[rows.length - 1];
      }
    }
    return {
      status: 'evaluated',
      totalResourcesCount: await countAudited(ctx, 'certificates'),
      findings,
      message: problemsMessage(problems),
    };
  },
};

function finding(d: IssuedDevice, ca: Intermediate): CheckFinding {
  return {
    resourceType: 'DEVICE_CERTIFICATE',
    resourceIdentifier: { deviceCertificateId: d.certificateId, deviceCertificateArn: d.arn },
    relatedResources: [
      {
        resourceType: 'ISSUER_CERTIFICATE',
        resourceIdentifier: {
          issuerCertificateIdentifier: { issuerCertificateSubject: oneLine(ca.subject), issuerId: ca.certificateId, issuerCertificateSerialNumber: ca.serialNumber },
        },
      },
    ],
    reasonForNonCompliance: "Device certificate is active but its issuing intermediate CA is listed in the certificate revocation list of that CA's issuer.",
    reasonForNonComplianceCode: 'INTERMEDIATE_CA_REVOKED_BY_ISSUER',
  };
}
