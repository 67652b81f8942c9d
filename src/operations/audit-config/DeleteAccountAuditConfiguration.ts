import type { Context } from '../../context/context.js';
import { InvalidRequestException, ResourceNotFoundException } from '../../generated/errors.js';
import type { DeleteAccountAuditConfigurationRequest, DeleteAccountAuditConfigurationResponse } from '../../generated/shapes.js';
import { AUDIT_CONFIGURATION_LOCK } from './scheduled-audit-rules.js';

/**
 * Restores the defaults (every check disabled, no role, no notification target). Scheduled
 * audits would be left with disabled checks, so they must go too: with deleteScheduledAudits
 * true they are deleted (with their tags), otherwise their existence is InvalidRequestException.
 * A scope with no configuration is ResourceNotFoundException. Suppressions are kept.
 */
export async function DeleteAccountAuditConfiguration(
  input: DeleteAccountAuditConfigurationRequest,
  ctx: Context,
): Promise<DeleteAccountAuditConfigurationResponse> {
  await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, AUDIT_CONFIGURATION_LOCK);
    const scheduled = await tx.scheduledAudits.all(ctx);
    if (scheduled.length && input.deleteScheduledAudits !== true) {
      throw new InvalidRequestException(
        `The account has scheduled audits (${scheduled.map((s) => s.name).join(', ')}); delete them first or set deleteScheduledAudits to true.`,
      );
    }
    if (!(await tx.auditConfigurations.delete(ctx))) throw new ResourceNotFoundException('The account has no audit configuration to delete.');
    for (const s of scheduled) {
      await tx.scheduledAudits.delete(ctx, s.name);
      await tx.tags.removeAll(ctx, s.arn);
    }
  });
  return {};
}
