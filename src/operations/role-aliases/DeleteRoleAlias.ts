import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { DeleteRoleAliasRequest, DeleteRoleAliasResponse } from '../../generated/shapes.js';
import { iotArn } from '../../registry/arn.js';

export async function DeleteRoleAlias(input: DeleteRoleAliasRequest, ctx: Context): Promise<DeleteRoleAliasResponse> {
  await ctx.store.transaction(async (tx) => {
    if (!(await tx.roleAliases.delete(ctx, input.roleAlias))) throw new ResourceNotFoundException(`Role alias ${input.roleAlias} does not exist.`);
    await tx.tags.removeAll(ctx, iotArn(ctx, `rolealias/${input.roleAlias}`));
  });
  return {};
}
