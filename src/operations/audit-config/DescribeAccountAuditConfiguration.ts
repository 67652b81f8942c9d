import type { Context } from '../../context/context.js';
import { describeConfiguration } from '../../audit/configuration.js';
import type { DescribeAccountAuditConfigurationRequest, DescribeAccountAuditConfigurationResponse } from '../../generated/shapes.js';

/** Every known check with its state; a scope never configured has them all disabled and no role or target. */
export async function DescribeAccountAuditConfiguration(
  _input: DescribeAccountAuditConfigurationRequest,
  ctx: Context,
): Promise<DescribeAccountAuditConfigurationResponse> {
  return describeConfiguration(await ctx.store.repos.auditConfigurations.get(ctx));
}
