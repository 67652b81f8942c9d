import type { Context } from '../../context/context.js';
import { updatedConfiguration } from '../../audit/configuration.js';
import type { UpdateAccountAuditConfigurationRequest, UpdateAccountAuditConfigurationResponse } from '../../generated/shapes.js';
import { AUDIT_CONFIGURATION_LOCK, checksInUse } from './scheduled-audit-rules.js';

/** Merges the request into the stored configuration (rules in src/audit/configuration.ts). */
export async function UpdateAccountAuditConfiguration(
  input: UpdateAccountAuditConfigurationRequest,
  ctx: Context,
): Promise<UpdateAccountAuditConfigurationResponse> {
  await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, AUDIT_CONFIGURATION_LOCK);
    const row = await tx.auditConfigurations.get(ctx);
    const inUse = checksInUse(await tx.scheduledAudits.all(ctx));
    await tx.auditConfigurations.put(ctx, updatedConfiguration(row, input, inUse, ctx.clock.now()));
  });
  return {};
}
