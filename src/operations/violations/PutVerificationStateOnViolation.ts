import type { Context } from '../../context/context.js';
import { setVerificationState } from '../../detect/violations.js';
import type { PutVerificationStateOnViolationRequest, PutVerificationStateOnViolationResponse } from '../../generated/shapes.js';

export async function PutVerificationStateOnViolation(input: PutVerificationStateOnViolationRequest, ctx: Context): Promise<PutVerificationStateOnViolationResponse> {
  await ctx.store.transaction((tx) => setVerificationState(tx.violations, ctx, input.violationId, input.verificationState, input.verificationStateDescription));
  return {};
}
