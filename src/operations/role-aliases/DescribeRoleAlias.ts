import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { DescribeRoleAliasRequest, DescribeRoleAliasResponse } from '../../generated/shapes.js';

export async function DescribeRoleAlias(input: DescribeRoleAliasRequest, ctx: Context): Promise<DescribeRoleAliasResponse> {
  const a = await ctx.store.repos.roleAliases.get(ctx, input.roleAlias);
  if (!a) throw new ResourceNotFoundException(`Role alias ${input.roleAlias} does not exist.`);
  return {
    roleAliasDescription: {
      roleAlias: a.alias,
      roleAliasArn: a.arn,
      roleArn: a.roleArn,
      owner: ctx.accountId,
      credentialDurationSeconds: a.credentialDurationSeconds,
      creationDate: a.createdAt,
      lastModifiedDate: a.modifiedAt,
    },
  };
}
