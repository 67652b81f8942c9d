import type { Context } from '../../context/context.js';
import { identify, requireCheckName, suppressionOf } from '../../audit/suppressions.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { DescribeAuditSuppressionRequest, DescribeAuditSuppressionResponse } from '../../generated/shapes.js';

export async function DescribeAuditSuppression(input: DescribeAuditSuppressionRequest, ctx: Context): Promise<DescribeAuditSuppressionResponse> {
  requireCheckName(input.checkName);
  const { key } = identify(input.resourceIdentifier);
  const suppression = await ctx.store.repos.auditSuppressions.get(ctx, input.checkName, key, ctx.clock.now());
  if (!suppression) throw new ResourceNotFoundException(`There is no suppression of ${input.checkName} for the resource ${key}.`);
  return suppressionOf(suppression);
}
