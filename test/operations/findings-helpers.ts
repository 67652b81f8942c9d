// Shared by the findings and violations tests: the signed injection endpoints, a second account,
// and assertions on errors.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IoTServiceException } from '@aws-sdk/client-iot';
import { DEFAULT_CREDS, raw, type RawResponse } from '../harness.js';

export const OTHER = { accessKeyId: 'AKIDOTHERACCOUNT', secretAccessKey: 'other-secret' };
export const OTHER_ACCOUNT = '111111111111';

/** `--credentials FILE` arguments: the default test/test (000000000000) plus OTHER (111111111111). */
export function twoAccounts(): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'warden-creds-')), 'credentials.json');
  writeFileSync(
    file,
    JSON.stringify({
      credentials: [
        { ...DEFAULT_CREDS, accountId: '000000000000' },
        { ...OTHER, accountId: OTHER_ACCOUNT },
      ],
    }),
  );
  return ['--credentials', file];
}

export interface Caller {
  region?: string;
  creds?: { accessKeyId: string; secretAccessKey: string };
}

export function post(url: string, path: string, body: unknown, who: Caller = {}): Promise<RawResponse> {
  return raw(url, { method: 'POST', path, body: typeof body === 'string' ? body : JSON.stringify(body), region: who.region, creds: who.creds });
}

export async function injectFindings(url: string, body: { taskId?: string; findings: unknown[] }, who: Caller = {}): Promise<{ taskId: string; findingIds: string[] }> {
  const r = await post(url, '/_warden/audit-findings', body, who);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

export async function injectViolations(url: string, violations: unknown[], who: Caller = {}): Promise<string[]> {
  const r = await post(url, '/_warden/violations', { violations }, who);
  assert.equal(r.status, 200, r.text);
  return r.json.violationIds;
}

/** A 400 InvalidRequestException whose message contains every fragment (field names, constraints). */
export function assertInvalid(r: RawResponse, ...fragments: string[]): void {
  assert.equal(r.status, 400, r.text);
  assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidRequestException');
  for (const f of fragments) assert.ok(r.json.message.includes(f), `message ${JSON.stringify(r.json.message)} lacks ${JSON.stringify(f)}`);
}

export { assertFails, failure } from '../harness.js';

/** A valid certificate id (64 hex characters) made from a readable label. */
export const certId = (label: string): string => createHash('sha256').update(label).digest('hex');

/** A device certificate finding on the certificate `certId(label)`. */
export const certFinding = (label: string, extra: Record<string, unknown> = {}) => ({
  checkName: 'DEVICE_CERTIFICATE_EXPIRING_CHECK',
  severity: 'MEDIUM',
  nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: certId(label) } },
  reasonForNonCompliance: 'Certificate is approaching expiration',
  reasonForNonComplianceCode: 'CERTIFICATE_APPROACHING_EXPIRATION',
  ...extra,
});

export const policyFinding = (policyName: string, policyVersionId = '1', extra: Record<string, unknown> = {}) => ({
  checkName: 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK',
  severity: 'CRITICAL',
  nonCompliantResource: { resourceType: 'IOT_POLICY', resourceIdentifier: { policyVersionIdentifier: { policyName, policyVersionId } } },
  reasonForNonCompliance: 'Policy allows broad access to IoT data plane actions: [iot:Connect].',
  reasonForNonComplianceCode: 'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS',
  ...extra,
});

export const staticBehavior = (name: string) => ({
  name,
  metric: 'aws:num-messages-sent',
  criteria: { comparisonOperator: 'greater-than', value: { count: 100 }, durationSeconds: 300 },
});

export const violation = (thingName: string, securityProfileName: string, extra: Record<string, unknown> = {}) => ({
  thingName,
  securityProfileName,
  behavior: staticBehavior('too-many-messages'),
  lastViolationValue: { count: 250 },
  ...extra,
});

export const HEX32 = /^[0-9a-f]{32}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
