import type { Context } from '../../context/context.js';
import { definedMetrics, validateBehaviors } from '../../detect/behaviors.js';
import type { ValidateSecurityProfileBehaviorsRequest, ValidateSecurityProfileBehaviorsResponse } from '../../generated/shapes.js';

/** What CreateSecurityProfile and UpdateSecurityProfile would refuse, as data (AWS's ValidationError has only errorMessage). */
export async function ValidateSecurityProfileBehaviors(input: ValidateSecurityProfileBehaviorsRequest, ctx: Context): Promise<ValidateSecurityProfileBehaviorsResponse> {
  const errors = validateBehaviors(input.behaviors, await definedMetrics(ctx.store.repos, ctx, input.behaviors));
  return { valid: errors.length === 0, validationErrors: errors.map((e) => ({ errorMessage: e.errorMessage })) };
}
