import type { Context } from '../../context/context.js';
import { CertificateConflictException, CertificateValidationException } from '../../generated/errors.js';
import type { RegisterCertificateRequest, RegisterCertificateResponse } from '../../generated/shapes.js';
import { assertNotRegistered, assertSettableStatus, registerDeviceCertificate } from '../../registry/certificates.js';
import { isSignedBy, parseCertificate, parseUsableCertificate, type ParsedCertificate } from '../../registry/x509.js';
import type { CaCertificateRecord } from '../../store/ca-certificates.js';
import { requestedStatus } from './helpers.js';
import { X509Certificate } from 'node:crypto';

/**
 * A device certificate signed by a CA registered (and ACTIVE) in this account and region. The
 * certificate takes the CA's certificate mode. Without caCertificatePem the CA is found by the
 * certificate's issuer name; two registered CAs with that subject and the same key answer
 * CertificateConflictException, as AWS documents. A certificate already registered in the account
 * answers ResourceAlreadyExistsException before its CA is looked at.
 */
export async function RegisterCertificate(input: RegisterCertificateRequest, ctx: Context): Promise<RegisterCertificateResponse> {
  const status = requestedStatus(input.status, input.setAsActive);
  assertSettableStatus(status, 'status');
  const parsed = parseUsableCertificate(input.certificatePem, 'certificatePem', ctx.clock.now());
  await assertNotRegistered(ctx.store.repos, ctx, parsed.id);
  const ca = await issuingCa(ctx, parsed, input.caCertificatePem);
  if (ca.status !== 'ACTIVE') {
    throw new CertificateValidationException(`The CA certificate ${ca.certificateId} that signed this certificate is ${ca.status}; it must be ACTIVE.`);
  }
  return registerDeviceCertificate(ctx.store.repos, ctx, parsed, { status, certificateMode: ca.certificateMode, caCertificateId: ca.certificateId });
}

async function issuingCa(ctx: Context, device: ParsedCertificate, caPem: string | undefined): Promise<CaCertificateRecord> {
  if (caPem !== undefined) {
    const given = parseCertificate(caPem, 'caCertificatePem');
    const ca = await ctx.store.repos.caCertificates.get(ctx, given.id);
    if (!ca) throw new CertificateValidationException(`The CA certificate ${given.id} is not registered in this account in ${ctx.region}.`);
    if (!isSignedBy(device.cert, given.cert)) {
      throw new CertificateValidationException(`The certificate was not signed by the CA certificate ${given.id}: its signature does not verify with that CA's key.`);
    }
    return ca;
  }
  const candidates = await ctx.store.repos.caCertificates.bySubject(ctx, device.issuer);
  if (candidates.length === 0) {
    throw new CertificateValidationException(`No CA certificate with the subject of this certificate's issuer (${device.issuer.replace(/\n/g, ', ')}) is registered in ${ctx.region}.`);
  }
  const signers = candidates.filter((ca) => isSignedBy(device.cert, new X509Certificate(ca.pem)));
  if (signers.length === 0) {
    throw new CertificateValidationException("The certificate's signature does not verify with the key of any registered CA certificate of its issuer.");
  }
  if (signers.length > 1) {
    throw new CertificateConflictException(
      `More than one registered CA certificate (${signers.map((c) => c.certificateId).join(', ')}) has this issuer's subject and key; pass caCertificatePem.`,
    );
  }
  return signers[0];
}
