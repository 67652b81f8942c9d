import { VersionConflictException } from '../../generated/errors.js';
import type { BillingGroupRecord } from '../../store/billing-groups.js';

/** expectedVersion of UpdateBillingGroup and DeleteBillingGroup. */
export function checkBillingGroupVersion(g: BillingGroupRecord, expected: number | undefined): void {
  if (expected !== undefined && expected !== g.version) {
    throw new VersionConflictException(`Billing group ${g.name} is at version ${g.version}, not the expected version ${expected}.`);
  }
}
