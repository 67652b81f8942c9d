import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { UpdateCACertificateRequest } from '../../generated/shapes.js';
import { updateCaCertificate } from '../../registry/certificates.js';

/**
 * Status, auto-registration status and registration config in one change. removeAutoRegistration
 * removes the registration config and turns auto-registration off, so it cannot be combined with
 * a new config or with ENABLE.
 */
export async function UpdateCACertificate(input: UpdateCACertificateRequest, ctx: Context): Promise<void> {
  if (input.removeAutoRegistration && (input.registrationConfig !== undefined || input.newAutoRegistrationStatus === 'ENABLE')) {
    throw new InvalidRequestException('removeAutoRegistration cannot be combined with registrationConfig or newAutoRegistrationStatus ENABLE.');
  }
  await ctx.store.transaction((tx) =>
    updateCaCertificate(tx, ctx, input.certificateId, {
      status: input.newStatus,
      autoRegistrationStatus: input.removeAutoRegistration ? 'DISABLE' : input.newAutoRegistrationStatus,
      registrationConfig: input.removeAutoRegistration ? null : input.registrationConfig,
    }),
  );
}
