import type { Context } from '../../context/context.js';
import type { CreateKeysAndCertificateRequest, CreateKeysAndCertificateResponse } from '../../generated/shapes.js';
import { registerDeviceCertificate, wardenSigner } from '../../registry/certificates.js';
import { issueCertificate, parseCertificate, rsaKeyPair } from '../../registry/x509.js';

/**
 * A real RSA 2048 key pair and a certificate for it signed by the account's Warden CA, as AWS
 * issues one ("Creates a 2048-bit RSA key pair and issues an X.509 certificate"). The private key
 * is returned once and never stored.
 */
export async function CreateKeysAndCertificate(input: CreateKeysAndCertificateRequest, ctx: Context): Promise<CreateKeysAndCertificateResponse> {
  const [signer, keys] = await Promise.all([wardenSigner(ctx.store.repos, ctx), rsaKeyPair()]);
  const pem = await issueCertificate(signer, keys.publicKey, ctx.clock.now());
  const parsed = parseCertificate(pem, 'certificatePem');
  const { certificateArn, certificateId } = await registerDeviceCertificate(ctx.store.repos, ctx, parsed, {
    status: input.setAsActive ? 'ACTIVE' : 'INACTIVE',
    certificateMode: 'DEFAULT',
  });
  return { certificateArn, certificateId, certificatePem: parsed.pem, keyPair: { PublicKey: keys.publicKeyPem, PrivateKey: keys.privateKeyPem } };
}
