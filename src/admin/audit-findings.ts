import type { Context } from '../context/context.js';
import { addFindings, type NewFinding } from '../audit/findings.js';
import { isCheckName } from '../audit/checks.js';
import { check, refuse } from './bodies.js';
import type { SignedHandler } from './handler.js';

interface Body {
  taskId?: string;
  findings: (Omit<NewFinding, 'resourceType' | 'resourceIdentifier' | 'additionalInfo'> & {
    nonCompliantResource: Pick<NewFinding, 'resourceType' | 'resourceIdentifier' | 'additionalInfo'>;
  })[];
}

/**
 * POST /_warden/audit-findings: records findings (as an external scanner or a test would) under a
 * new COMPLETED on-demand audit task, or under the existing task `taskId` names. All or nothing.
 */
export const postAuditFindings: SignedHandler = async ({ body }, ctx: Context) => {
  const { value, violations } = check<Body>('WardenAuditFindingsBody', body);
  value.findings?.forEach((f, i) => {
    const at = `findings.${i + 1}.member`;
    if (typeof f?.checkName === 'string' && !isCheckName(f.checkName)) {
      violations.push({ path: `${at}.checkName`, value: f.checkName, constraint: 'Member must be the API name of an audit check (e.g. DEVICE_CERTIFICATE_EXPIRING_CHECK)' });
    }
    const id = f?.nonCompliantResource?.resourceIdentifier;
    if (id && typeof id === 'object' && Object.keys(id).length === 0) {
      violations.push({ path: `${at}.nonCompliantResource.resourceIdentifier`, value: id, constraint: 'Member must name the resource (at least one member)' });
    }
  });
  if (violations.length) refuse(violations);
  const findings: NewFinding[] = value.findings.map(({ nonCompliantResource: r, ...f }) => ({ ...f, ...r }));
  return ctx.store.transaction((tx) => addFindings(tx, ctx, ctx.clock.now(), value.taskId, findings));
};
