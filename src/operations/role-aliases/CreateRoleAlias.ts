import type { Context } from '../../context/context.js';
import { ResourceAlreadyExistsException } from '../../generated/errors.js';
import type { CreateRoleAliasRequest, CreateRoleAliasResponse } from '../../generated/shapes.js';
import { iotArn } from '../../registry/arn.js';
import { checkNewTags } from '../../registry/resources.js';

/** AWS: credentialDurationSeconds defaults to 3600 (one hour). */
export const DEFAULT_CREDENTIAL_DURATION = 3600;

export async function CreateRoleAlias(input: CreateRoleAliasRequest, ctx: Context): Promise<CreateRoleAliasResponse> {
  checkNewTags(input.tags);
  const arn = iotArn(ctx, `rolealias/${input.roleAlias}`);
  await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'role-aliases');
    if (await tx.roleAliases.get(ctx, input.roleAlias)) {
      throw new ResourceAlreadyExistsException(`Role alias ${input.roleAlias} already exists.`, { resourceId: input.roleAlias, resourceArn: arn });
    }
    const now = ctx.clock.now();
    await tx.roleAliases.insert(ctx, {
      alias: input.roleAlias,
      arn,
      roleArn: input.roleArn,
      credentialDurationSeconds: input.credentialDurationSeconds ?? DEFAULT_CREDENTIAL_DURATION,
      createdAt: now,
      modifiedAt: now,
    });
    if (input.tags?.length) await tx.tags.put(ctx, arn, input.tags);
  });
  return { roleAlias: input.roleAlias, roleAliasArn: arn };
}
