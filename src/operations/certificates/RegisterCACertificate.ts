import { randomUUID } from 'node:crypto';
import type { Context } from '../../context/context.js';
import {
  CertificateValidationException,
  InvalidRequestException,
  LimitExceededException,
  RegistrationCodeValidationException,
  ResourceAlreadyExistsException,
} from '../../generated/errors.js';
import type { RegisterCACertificateRequest, RegisterCACertificateResponse } from '../../generated/shapes.js';
import { certificateFacts } from '../../registry/cert-facts.js';
import { caCertificateArn } from '../../registry/certificates.js';
import { commonName, isSignedBy, parseUsableCertificate, type ParsedCertificate } from '../../registry/x509.js';

/** "You can register up to 10 CA certificates with the same CA subject field per AWS account." */
export const CA_PER_SUBJECT_LIMIT = 10;

/**
 * Registers a CA certificate (basicConstraints cA=true). In DEFAULT mode the verification
 * certificate proves possession of the CA's key: its CN is the registration code and the CA
 * signed it; a CA is registered in DEFAULT mode by only one account per region. SNI_ONLY mode
 * takes no verification certificate.
 */
export async function RegisterCACertificate(input: RegisterCACertificateRequest, ctx: Context): Promise<RegisterCACertificateResponse> {
  const mode = input.certificateMode ?? 'DEFAULT';
  if (mode === 'SNI_ONLY' && input.verificationCertificate !== undefined) {
    throw new InvalidRequestException('verificationCertificate must be empty when certificateMode is SNI_ONLY.');
  }
  if (mode === 'DEFAULT' && input.verificationCertificate === undefined) {
    throw new InvalidRequestException('verificationCertificate is required when certificateMode is DEFAULT (or not given); use SNI_ONLY to register without one.');
  }
  const now = ctx.clock.now();
  const ca = parseUsableCertificate(input.caCertificate, 'caCertificate', now);
  if (!ca.cert.ca) throw new CertificateValidationException('caCertificate is not a CA certificate: its basicConstraints extension does not say cA=true.');
  if (input.verificationCertificate !== undefined) await proveKeyPossession(ctx, ca, input.verificationCertificate, now);
  const arn = caCertificateArn(ctx, ca.id);
  return ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'ca-certificates');
    if (await tx.caCertificates.get(ctx, ca.id)) {
      throw new ResourceAlreadyExistsException(`The CA certificate ${ca.id} is already registered.`, { resourceId: ca.id, resourceArn: arn });
    }
    if (mode === 'DEFAULT' && (await tx.caCertificates.defaultModeOwnerElsewhere(ctx, ca.id))) {
      throw new ResourceAlreadyExistsException(
        `The CA certificate ${ca.id} is registered in DEFAULT mode by another account in ${ctx.region}; register it in SNI_ONLY mode.`,
        { resourceId: ca.id },
      );
    }
    if ((await tx.caCertificates.bySubject(ctx, ca.subject)).length >= CA_PER_SUBJECT_LIMIT) {
      throw new LimitExceededException(`This account already has ${CA_PER_SUBJECT_LIMIT} CA certificates with the subject ${ca.subject.replace(/\n/g, ', ')}.`);
    }
    await tx.caCertificates.insert(ctx, {
      certificateId: ca.id,
      arn,
      status: input.setAsActive ? 'ACTIVE' : 'INACTIVE',
      pem: ca.pem,
      subject: ca.subject,
      certificateMode: mode,
      autoRegistrationStatus: input.allowAutoRegistration ? 'ENABLE' : 'DISABLE',
      registrationConfig: input.registrationConfig,
      ownedBy: ctx.accountId,
      generationId: randomUUID(),
      customerVersion: 1,
      notBefore: ca.notBefore,
      notAfter: ca.notAfter,
      createdAt: now,
      modifiedAt: now,
    }, certificateFacts(ca.cert));
    if (input.tags?.length) await tx.tags.put(ctx, arn, input.tags);
    return { certificateArn: arn, certificateId: ca.id };
  });
}

async function proveKeyPossession(ctx: Context, ca: ParsedCertificate, pem: string, now: Date): Promise<void> {
  const verification = parseUsableCertificate(pem, 'verificationCertificate', now);
  const code = await ctx.store.repos.caCertificates.registrationCode(ctx);
  const cn = commonName(verification.cert);
  if (!code) throw new RegistrationCodeValidationException(`There is no registration code in ${ctx.region}; call GetRegistrationCode and use it as the verification certificate's CN.`);
  if (cn !== code) {
    throw new RegistrationCodeValidationException(`The verification certificate's common name (${cn ?? 'none'}) is not this account's registration code.`);
  }
  if (!isSignedBy(verification.cert, ca.cert)) {
    throw new CertificateValidationException("The verification certificate was not signed by the CA certificate's private key.");
  }
}
