import { after } from '../../store/rows.js';
import { countAudited } from '../cert-scan.js';
import { AUDITED_STATUS_SQL, groupBy, type AuditCheck, type CheckFinding } from '../check.js';
import { oneLine } from '../crl-der.js';
import { crlsInForce, problemsMessage, refreshCrls, urlsOf } from '../crls.js';

interface CaRow {
  certificate_id: string;
  subject: string;
  issuer: string;
  serial_number: string;
  crl_urls: string | null;
}

interface DeviceRow {
  certificate_id: string;
  arn: string;
  ca_certificate_id: string | null;
  serial_number: string;
}

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
    const { db, scope } = ctx;
    // Only CAs that issued an audited device certificate can produce a finding.
    const issuing = await db.all<CaRow>(
      `SELECT ca.certificate_id, ca.subject, ca.issuer, ca.serial_number, ca.crl_urls FROM ca_certificates ca
       WHERE ca.account_id = ? AND ca.region = ? AND ca.issuer IS NOT NULL AND ca.serial_number IS NOT NULL AND ca.issuer <> ca.subject
         AND EXISTS (SELECT 1 FROM certificates c WHERE c.account_id = ca.account_id AND c.region = ca.region AND c.issuer = ca.subject AND c.${AUDITED_STATUS_SQL})`,
      [scope.accountId, scope.region],
    );
    const urls = new Set<string>();
    for (const c of issuing) for (const u of urlsOf(c.crl_urls)) urls.add(u);
    const problems = await refreshCrls(ctx, urls);

    const byIssuer = groupBy(issuing, (c) => c.issuer);
    const revoked = new Map<string, CaRow>();
    if (byIssuer.size) {
      for await (const crl of crlsInForce(db, scope, new Set(byIssuer.keys()), problems)) {
        const serials = new Set(crl.serials);
        for (const c of byIssuer.get(crl.header.issuer) ?? []) if (serials.has(c.serial_number)) revoked.set(c.certificate_id, c);
      }
    }

    const findings: CheckFinding[] = [];
    const subjects = new Map<string, CaRow>();
    for (const c of revoked.values()) if (!subjects.has(c.subject)) subjects.set(c.subject, c);
    for (const [subject, byName] of subjects) {
      let last: [string, string] | undefined;
      for (;;) {
        if (ctx.signal.aborted) break;
        const page = last && after(['serial_number', 'certificate_id'], last, false);
        const rows = await db.all<DeviceRow>(
          `SELECT certificate_id, arn, ca_certificate_id, serial_number FROM certificates
           WHERE account_id = ? AND region = ? AND issuer = ? AND ${AUDITED_STATUS_SQL}${page ? ` AND ${page.sql}` : ''}
           ORDER BY serial_number, certificate_id LIMIT ${devicePage.rows}`,
          [scope.accountId, scope.region, subject, ...(page ? page.params : [])],
        );
        for (const d of rows) {
          // Registered with a CA: that CA decides; registered without one: the name does.
          const ca = d.ca_certificate_id ? revoked.get(d.ca_certificate_id) : byName;
          if (ca) findings.push(finding(d, ca));
        }
        if (rows.length < devicePage.rows) break;
        const end = rows[rows.length - 1];
        last = [end.serial_number, end.certificate_id];
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

function finding(d: DeviceRow, ca: CaRow): CheckFinding {
  return {
    resourceType: 'DEVICE_CERTIFICATE',
    resourceIdentifier: { deviceCertificateId: d.certificate_id, deviceCertificateArn: d.arn },
    relatedResources: [
      {
        resourceType: 'ISSUER_CERTIFICATE',
        resourceIdentifier: {
          issuerCertificateIdentifier: { issuerCertificateSubject: oneLine(ca.subject), issuerId: ca.certificate_id, issuerCertificateSerialNumber: ca.serial_number },
        },
      },
    ],
    reasonForNonCompliance: "Device certificate is active but its issuing intermediate CA is listed in the certificate revocation list of that CA's issuer.",
    reasonForNonComplianceCode: 'INTERMEDIATE_CA_REVOKED_BY_ISSUER',
  };
}
