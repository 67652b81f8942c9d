import type { Context } from '../../context/context.js';
import type { CreateCertificateFromCsrRequest, CreateCertificateFromCsrResponse } from '../../generated/shapes.js';
import { registerDeviceCertificate, wardenSigner } from '../../registry/certificates.js';
import { issueCertificate, parseCertificate, parseCsr } from '../../registry/x509.js';

/**
 * A certificate for the CSR's public key and subject, signed by the account's Warden CA as
 * CreateKeysAndCertificate's are. The CSR's signature is verified first and its key must be RSA
 * of 2048 bits or more or EC on P-256, P-384 or P-521 (InvalidRequestException otherwise). Each
 * call gets a new serial number, so "reusing the same certificate signing request (CSR) results
 * in a distinct certificate".
 */
export async function CreateCertificateFromCsr(input: CreateCertificateFromCsrRequest, ctx: Context): Promise<CreateCertificateFromCsrResponse> {
  const csr = await parseCsr(input.certificateSigningRequest, 'certificateSigningRequest');
  const signer = await wardenSigner(ctx.store.repos, ctx);
  const parsed = parseCertificate(await issueCertificate(signer, csr.publicKey, ctx.clock.now(), csr.subject), 'certificatePem');
  const { certificateArn, certificateId } = await registerDeviceCertificate(ctx.store.repos, ctx, parsed, {
    status: input.setAsActive ? 'ACTIVE' : 'INACTIVE',
    certificateMode: 'DEFAULT',
  });
  return { certificateArn, certificateId, certificatePem: parsed.pem };
}
