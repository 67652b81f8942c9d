import type { Context } from '../context/context.js';
import { isPlainObject, type Violation } from '../api/validate.js';
import { parsePolicyDocument, PolicyDocumentError } from '../audit/iam-policy.js';
import type { IamRoleRecord } from '../store/iam-roles.js';
import { refuse, requireList, requireObject } from './bodies.js';
import type { SignedHandler } from './handler.js';

/** Limits of the body (AWS: a role has at most 10 managed plus inline policies; we allow more). */
const MAX_ROLES = 1000;
const MAX_DOCUMENTS = 50;
const MAX_SERVICES = 500;
const ROLE_ARN = /^arn:[a-z-]+:iam::\d{12}:role\/.{1,1000}$/;
const SERVICE = /^[a-z0-9-]{1,64}$/;

/**
 * POST /_warden/iam-roles: tells Warden an IAM role's permission policies and which services
 * the credentials of the role aliases naming it used (AWS reads both from IAM and its access
 * advisor; Warden has neither). Each role given replaces what Warden knew of it. All or nothing.
 * Body: {"roles": [{"roleArn", "policyDocuments": [<object or JSON text>...], "servicesUsed"?: [{"service", "lastUsed"?: epoch s}]}]}
 */
export const postIamRoles: SignedHandler = async ({ body }, ctx: Context) => {
  const roles = validate(body, ctx.clock.now());
  await ctx.store.transaction((tx) => tx.iamRoles.put(ctx, roles));
  return { roleArns: roles.map((r) => r.roleArn) };
};

function validate(body: unknown, now: Date): IamRoleRecord[] {
  const v: Violation[] = [];
  requireObject(body);
  const list = requireList(body, 'roles', MAX_ROLES);
  const seen = new Set<string>();
  const roles = list.map((r, i): IamRoleRecord => {
    const at = `roles.${i + 1}.member`;
    if (!isPlainObject(r)) {
      v.push({ path: at, value: r ?? null, constraint: 'Member must be a structure (JSON object)' });
      return { roleArn: '', documents: [], servicesUsed: [], updatedAt: now };
    }
    const roleArn = r.roleArn;
    if (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn)) {
      v.push({ path: `${at}.roleArn`, value: roleArn ?? null, constraint: 'Member must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)' });
    } else if (seen.has(roleArn)) {
      v.push({ path: `${at}.roleArn`, value: roleArn, constraint: 'Member must not repeat a role given earlier in the request' });
    } else seen.add(roleArn);

    const documents: unknown[] = [];
    const docs = r.policyDocuments;
    if (!Array.isArray(docs) || docs.length > MAX_DOCUMENTS) {
      v.push({ path: `${at}.policyDocuments`, value: docs ?? null, constraint: `Member must be a list of at most ${MAX_DOCUMENTS} IAM policy documents` });
    } else {
      docs.forEach((d, j) => {
        try {
          parsePolicyDocument(d);
          documents.push(typeof d === 'string' ? JSON.parse(d) : d);
        } catch (e) {
          if (!(e instanceof PolicyDocumentError)) throw e;
          v.push({ path: `${at}.policyDocuments.${j + 1}.member`, value: d, constraint: `Member must be an IAM policy document: ${e.message}` });
        }
      });
    }

    const servicesUsed: IamRoleRecord['servicesUsed'] = [];
    const used = r.servicesUsed ?? [];
    if (!Array.isArray(used) || used.length > MAX_SERVICES) {
      v.push({ path: `${at}.servicesUsed`, value: used, constraint: `Member must be a list of at most ${MAX_SERVICES} entries` });
    } else {
      used.forEach((u, j) => {
        const p = `${at}.servicesUsed.${j + 1}.member`;
        if (!isPlainObject(u)) return v.push({ path: p, value: u ?? null, constraint: 'Member must be a structure (JSON object)' });
        if (typeof u.service !== 'string' || !SERVICE.test(u.service.toLowerCase())) {
          return v.push({ path: `${p}.service`, value: u.service ?? null, constraint: 'Member must be an AWS service prefix such as s3 or iot' });
        }
        if (u.lastUsed !== undefined && u.lastUsed !== null && (typeof u.lastUsed !== 'number' || !Number.isFinite(u.lastUsed) || u.lastUsed < 0)) {
          return v.push({ path: `${p}.lastUsed`, value: u.lastUsed, constraint: 'Member must be a timestamp (epoch seconds)' });
        }
        servicesUsed.push({ service: u.service.toLowerCase(), ...(typeof u.lastUsed === 'number' ? { lastUsed: Math.round(u.lastUsed * 1000) } : {}) });
      });
    }
    return { roleArn: roleArn as string, documents, servicesUsed, updatedAt: now };
  });
  if (v.length) refuse(v);
  return roles;
}
