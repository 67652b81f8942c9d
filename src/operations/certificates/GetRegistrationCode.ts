import { randomBytes } from 'node:crypto';
import type { Context } from '../../context/context.js';
import type { GetRegistrationCodeRequest, GetRegistrationCodeResponse } from '../../generated/shapes.js';

/**
 * The scope's CA registration code: 64 hex characters, created on first request and the same
 * afterwards until DeleteRegistrationCode. A verification certificate's CN must equal it.
 */
export async function GetRegistrationCode(_input: GetRegistrationCodeRequest, ctx: Context): Promise<GetRegistrationCodeResponse> {
  const existing = await ctx.store.repos.caCertificates.registrationCode(ctx);
  const registrationCode = existing ?? (await ctx.store.repos.caCertificates.ensureRegistrationCode(ctx, randomBytes(32).toString('hex'), ctx.clock.now()));
  return { registrationCode };
}
