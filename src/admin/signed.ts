import { postAuditFindings } from './audit-findings.js';
import type { SignedHandler } from './index.js';
import { postViolations } from './violations.js';

/** Signed Warden endpoints by "METHOD /path"; each handler lives in its own file in this folder. */
export const signedRoutes: Record<string, SignedHandler> = {
  'POST /_warden/audit-findings': postAuditFindings,
  'POST /_warden/violations': postViolations,
};
