import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { UpdateRoleAliasRequest, UpdateRoleAliasResponse } from '../../generated/shapes.js';

/** roleArn and credentialDurationSeconds are each optional; what is left out stays. */
export async function UpdateRoleAlias(input: UpdateRoleAliasRequest, ctx: Context): Promise<UpdateRoleAliasResponse> {
  return ctx.store.transaction(async (tx) => {
    const a = await tx.roleAliases.get(ctx, input.roleAlias);
    if (!a) throw new ResourceNotFoundException(`Role alias ${input.roleAlias} does not exist.`);
    await tx.roleAliases.update(ctx, {
      ...a,
      roleArn: input.roleArn ?? a.roleArn,
      credentialDurationSeconds: input.credentialDurationSeconds ?? a.credentialDurationSeconds,
      modifiedAt: ctx.clock.now(),
    });
    return { roleAlias: a.alias, roleAliasArn: a.arn };
  });
}
