import type { Context } from '../../context/context.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { DeleteScheduledAuditRequest, DeleteScheduledAuditResponse } from '../../generated/shapes.js';
import { AUDIT_CONFIGURATION_LOCK, scheduledAuditArn } from './scheduled-audit-rules.js';

/** Deletes the scheduled audit and its tags; audits it already started stay. */
export async function DeleteScheduledAudit(input: DeleteScheduledAuditRequest, ctx: Context): Promise<DeleteScheduledAuditResponse> {
  await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, AUDIT_CONFIGURATION_LOCK);
    if (!(await tx.scheduledAudits.delete(ctx, input.scheduledAuditName))) {
      throw new ResourceNotFoundException(`Scheduled audit ${input.scheduledAuditName} does not exist.`);
    }
    await tx.tags.removeAll(ctx, scheduledAuditArn(ctx, input.scheduledAuditName));
  });
  return {};
}
