import type { Context } from '../context/context.js';
import { addViolations, type NewViolation } from '../detect/violations.js';
import { check, refuse } from './bodies.js';
import type { SignedHandler } from './handler.js';

/**
 * POST /_warden/violations: records detect violations with their in-alarm events (and an
 * alarm-cleared event for those given `"active": false`). All or nothing.
 */
export const postViolations: SignedHandler = async ({ body }, ctx: Context) => {
  const { value, violations } = check<{ violations: NewViolation[] }>('WardenViolationsBody', body);
  value.violations?.forEach((v, i) => {
    if (v?.violationStartTime && v.lastViolationTime && v.lastViolationTime < v.violationStartTime) {
      violations.push({ path: `violations.${i + 1}.member.lastViolationTime`, value: v.lastViolationTime.getTime() / 1000, constraint: 'Member must not be before violationStartTime' });
    }
  });
  if (violations.length) refuse(violations);
  const ids = await ctx.store.transaction((tx) => addViolations(tx, ctx, ctx.clock.now(), value.violations));
  return { violationIds: ids };
};
