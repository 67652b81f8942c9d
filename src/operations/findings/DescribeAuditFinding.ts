import type { Context } from '../../context/context.js';
import { readFinding } from '../../audit/findings.js';
import { ResourceNotFoundException } from '../../generated/errors.js';
import type { DescribeAuditFindingRequest, DescribeAuditFindingResponse } from '../../generated/shapes.js';

export async function DescribeAuditFinding(input: DescribeAuditFindingRequest, ctx: Context): Promise<DescribeAuditFindingResponse> {
  const finding = await readFinding(ctx.store.repos, ctx, input.findingId);
  if (!finding) throw new ResourceNotFoundException(`Audit finding ${input.findingId} does not exist.`);
  return { finding };
}
