import type { Context } from '../../context/context.js';
import type { RegisterCertificateWithoutCARequest, RegisterCertificateWithoutCAResponse } from '../../generated/shapes.js';
import { assertSettableStatus, registerDeviceCertificate } from '../../registry/certificates.js';
import { parseUsableCertificate } from '../../registry/x509.js';
import { requestedStatus } from './helpers.js';

/** A certificate whose issuer is not registered: no chain check, certificate mode SNI_ONLY. One parse, one insert. */
export async function RegisterCertificateWithoutCA(input: RegisterCertificateWithoutCARequest, ctx: Context): Promise<RegisterCertificateWithoutCAResponse> {
  const status = requestedStatus(input.status, undefined);
  assertSettableStatus(status, 'status');
  const parsed = parseUsableCertificate(input.certificatePem, 'certificatePem', ctx.clock.now());
  return registerDeviceCertificate(ctx.store.repos, ctx, parsed, { status, certificateMode: 'SNI_ONLY' });
}
