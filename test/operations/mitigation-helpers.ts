import assert from 'node:assert/strict';
import {
  AddThingToThingGroupCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateMitigationActionCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DescribeAuditMitigationActionsTaskCommand,
  DescribeDetectMitigationActionsTaskCommand,
  type DescribeAuditMitigationActionsTaskCommandOutput,
  type IoTClient,
  type MitigationActionParams,
} from '@aws-sdk/client-iot';
import { raw, ROLE } from '../harness.js';

/** Findings through the signed Warden endpoint; answers {taskId, findingIds}. */
export async function injectFindings(url: string, body: { taskId?: string; findings: unknown[] }, region = 'us-east-1'): Promise<{ taskId: string; findingIds: string[] }> {
  const r = await raw(url, { method: 'POST', path: '/_warden/audit-findings', body: JSON.stringify(body), region });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** Findings of one audit task in several requests of `perRequest` (a request body holds at most 1 MiB); answers the audit task's id. */
export async function injectFindingsInParts(url: string, findings: unknown[], perRequest = 1000): Promise<string> {
  const { taskId } = await injectFindings(url, { findings: findings.slice(0, perRequest) });
  for (let at = perRequest; at < findings.length; at += perRequest) await injectFindings(url, { taskId, findings: findings.slice(at, at + perRequest) });
  return taskId;
}

export async function injectViolations(url: string, violations: unknown[], region = 'us-east-1'): Promise<string[]> {
  const r = await raw(url, { method: 'POST', path: '/_warden/violations', body: JSON.stringify({ violations }), region });
  assert.equal(r.status, 200, r.text);
  return r.json.violationIds;
}

export const certFinding = (certificateId: string, check = 'DEVICE_CERTIFICATE_EXPIRING_CHECK') => ({
  checkName: check,
  severity: 'MEDIUM',
  nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: certificateId } },
  reasonForNonCompliance: 'Certificate is approaching expiration',
  reasonForNonComplianceCode: 'CERTIFICATE_APPROACHING_EXPIRATION',
});

export const policyFinding = (policyName: string, versionId = '1') => ({
  checkName: 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK',
  severity: 'CRITICAL',
  nonCompliantResource: { resourceType: 'IOT_POLICY', resourceIdentifier: { policyVersionIdentifier: { policyName, policyVersionId: versionId } } },
  reasonForNonCompliance: 'Policy allows broad access to IoT data plane actions: [iot:Connect, iot:Publish].',
  reasonForNonComplianceCode: 'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS',
});

export const loggingFinding = (accountId = '000000000000') => ({
  checkName: 'LOGGING_DISABLED_CHECK',
  severity: 'LOW',
  nonCompliantResource: { resourceType: 'ACCOUNT_SETTINGS', resourceIdentifier: { account: accountId } },
  reasonForNonCompliance: 'Logging is disabled',
  reasonForNonComplianceCode: 'LOGGING_DISABLED',
});

export async function action(client: IoTClient, actionName: string, actionParams: MitigationActionParams): Promise<void> {
  await client.send(new CreateMitigationActionCommand({ actionName, roleArn: ROLE, actionParams }));
}

/** An ACTIVE certificate attached to a new thing; answers the certificate id. */
export async function deviceWithCert(client: IoTClient, thingName: string): Promise<{ certificateId: string; certificateArn: string }> {
  const cert = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  await client.send(new CreateThingCommand({ thingName }));
  await client.send(new AttachThingPrincipalCommand({ thingName, principal: cert.certificateArn! }));
  return { certificateId: cert.certificateId!, certificateArn: cert.certificateArn! };
}

export const OPEN_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });

export async function openPolicy(client: IoTClient, policyName: string): Promise<void> {
  await client.send(new CreatePolicyCommand({ policyName, policyDocument: OPEN_POLICY }));
}

export async function group(client: IoTClient, thingGroupName: string, things: string[] = []): Promise<void> {
  await client.send(new CreateThingGroupCommand({ thingGroupName }));
  for (const thingName of things) await client.send(new AddThingToThingGroupCommand({ thingGroupName, thingName }));
}

/** Polls Describe until the task leaves IN_PROGRESS; checks on the way that statistics never go backwards or above totals. */
export async function waitAudit(client: IoTClient, taskId: string, timeoutMs = 30000): Promise<DescribeAuditMitigationActionsTaskCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Map<string, number>();
  for (;;) {
    const d = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId }));
    for (const [check, s] of Object.entries(d.taskStatistics ?? {})) {
      const done = (s.succeededFindingsCount ?? 0) + (s.failedFindingsCount ?? 0) + (s.canceledFindingsCount ?? 0) + (s.skippedFindingsCount ?? 0);
      assert.ok(done <= (s.totalFindingsCount ?? 0), `${check}: ${done} finished of ${s.totalFindingsCount}`);
      assert.ok(done >= (seen.get(check) ?? 0), `${check} went backwards`);
      seen.set(check, done);
    }
    if (d.taskStatus !== 'IN_PROGRESS') return d;
    if (Date.now() > deadline) assert.fail(`task ${taskId} still IN_PROGRESS after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function waitDetect(client: IoTClient, taskId: string, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await client.send(new DescribeDetectMitigationActionsTaskCommand({ taskId }));
    if (d.taskSummary?.taskStatus !== 'IN_PROGRESS') return d.taskSummary!;
    if (Date.now() > deadline) assert.fail(`task ${taskId} still IN_PROGRESS after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
