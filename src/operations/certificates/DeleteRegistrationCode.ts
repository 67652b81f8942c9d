import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { DeleteRegistrationCodeRequest, DeleteRegistrationCodeResponse } from '../../generated/shapes.js';

/** Forgets the scope's registration code; the next GetRegistrationCode issues a new one. */
export async function DeleteRegistrationCode(_input: DeleteRegistrationCodeRequest, ctx: Context): Promise<DeleteRegistrationCodeResponse> {
  if (!(await ctx.store.repos.caCertificates.deleteRegistrationCode(ctx))) {
    throw new ResourceNotFoundException(`There is no registration code in ${ctx.region}; GetRegistrationCode creates one.`);
  }
  return {};
}
