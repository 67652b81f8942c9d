import { postAuditFindings } from './audit-findings.js';
import { postCrls } from './crls.js';
import type { SignedHandler } from './handler.js';
import { postViolations } from './violations.js';
import { postIamRoles } from './iam-roles.js';
import { postConnectionEvents } from './connection-events.js';
import { getSnsMessages } from './sns-messages.js';
import { postCloudMetrics } from './cloud-metrics.js';
import { getIdentity } from './identity.js';

/** Signed Warden endpoints by "METHOD /path"; each handler lives in its own file in this folder. */
export const signedRoutes: Record<string, SignedHandler> = {
  'POST /_warden/audit-findings': postAuditFindings,
  'POST /_warden/crls': postCrls,
  'POST /_warden/violations': postViolations,
  'POST /_warden/iam-roles': postIamRoles,
  'POST /_warden/connection-events': postConnectionEvents,
  'POST /_warden/cloud-metrics': postCloudMetrics,
  'GET /_warden/sns/messages': getSnsMessages,
  'GET /_warden/identity': getIdentity,
};
