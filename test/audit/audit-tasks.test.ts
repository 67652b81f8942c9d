// Real audits end to end through @aws-sdk/client-iot against a real server process, both backends:
// the full loop (audit → findings → mitigation → second audit compliant), the start rules,
// cancel, listing, and the completion notification.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachThingPrincipalCommand,
  CancelAuditTaskCommand,
  CreateAuditSuppressionCommand,
  CreateThingCommand,
  DescribeAuditTaskCommand,
  DescribeCertificateCommand,
  GetPolicyCommand,
  ListAuditFindingsCommand,
  ListAuditTasksCommand,
  RegisterCertificateWithoutCACommand,
  StartAuditMitigationActionsTaskCommand,
  StartOnDemandAuditTaskCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { assertFails, BACKENDS, iot, reset, snsMessages, startServer, type Running } from '../harness.js';
import { until } from '../moto.js';
import { makeCa, makeLeaf } from '../operations/certificates-helpers.js';
import { action, certFinding, injectFindings, loggingFinding, openPolicy, waitAudit } from '../operations/mitigation-helpers.js';
import { enableChecks, waitAuditTask } from './audit-config-helpers.js';

const DAY = 86_400_000;
const ROLE = 'arn:aws:iam::000000000000:role/audit';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:audit-results';
const BLANK = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:*', Resource: '*' }] };
const CHECKS = ['DEVICE_CERTIFICATE_EXPIRING_CHECK', 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK', 'LOGGING_DISABLED_CHECK'];

/** The account's audit notifications go to TOPIC. */
const NOTIFY = { auditNotificationTargetConfigurations: { SNS: { targetArn: TOPIC, roleArn: ROLE, enabled: true } } };

/** A device certificate (real X.509, ACTIVE) that expires in `days`, attached to a new thing. */
async function expiringDevice(client: IoTClient, thingName: string, days: number): Promise<string> {
  const ca = await makeCa();
  const pem = await makeLeaf(ca, { notAfter: new Date(Date.now() + days * DAY) });
  const cert = await client.send(new RegisterCertificateWithoutCACommand({ certificatePem: pem, status: 'ACTIVE' }));
  await client.send(new CreateThingCommand({ thingName }));
  await client.send(new AttachThingPrincipalCommand({ thingName, principal: cert.certificateArn! }));
  return cert.certificateId!;
}

for (const backend of BACKENDS) {
  describe(`real audits (${backend})`, () => {
    let server: Running;
    let client: IoTClient;
    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('the full loop: audit finds, mitigation fixes, a second audit is compliant', async () => {
      await reset(server.url);
      const soon = await expiringDevice(client, 'sensor-1', 10);
      await expiringDevice(client, 'sensor-2', 300);
      await openPolicy(client, 'too-open');
      await enableChecks(client, CHECKS);

      const { taskId } = await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: CHECKS }));
      assert.match(taskId!, /^[0-9a-f]{32}$/);
      const audit = await waitAuditTask(client, taskId!);
      assert.equal(audit.taskStatus, 'COMPLETED');
      assert.equal(audit.taskType, 'ON_DEMAND_AUDIT_TASK');
      assert.deepEqual(audit.taskStatistics, { totalChecks: 3, inProgressChecks: 0, waitingForDataCollectionChecks: 0, compliantChecks: 0, nonCompliantChecks: 3, failedChecks: 0, canceledChecks: 0 });
      const expiring = audit.auditDetails!.DEVICE_CERTIFICATE_EXPIRING_CHECK;
      assert.equal(expiring.checkRunStatus, 'COMPLETED_NON_COMPLIANT');
      assert.equal(expiring.checkCompliant, false);
      assert.equal(expiring.totalResourcesCount, 2);
      assert.equal(expiring.nonCompliantResourcesCount, 1);
      assert.equal(expiring.suppressedNonCompliantResourcesCount, 0);

      const findings = (await client.send(new ListAuditFindingsCommand({ taskId }))).findings!;
      const byCheck = Object.fromEntries(findings.map((f) => [f.checkName!, f]));
      assert.deepEqual(Object.keys(byCheck).sort(), CHECKS);
      assert.deepEqual(byCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK.nonCompliantResource, { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: soon }, additionalInfo: byCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK.nonCompliantResource!.additionalInfo });
      assert.equal(byCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK.reasonForNonComplianceCode, 'CERTIFICATE_APPROACHING_EXPIRATION');
      assert.equal(byCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK.severity, 'MEDIUM');
      assert.deepEqual(byCheck.IOT_POLICY_OVERLY_PERMISSIVE_CHECK.nonCompliantResource!.resourceIdentifier, { policyVersionIdentifier: { policyName: 'too-open', policyVersionId: '1' } });
      assert.equal(byCheck.IOT_POLICY_OVERLY_PERMISSIVE_CHECK.severity, 'CRITICAL');
      assert.equal(byCheck.LOGGING_DISABLED_CHECK.nonCompliantResource!.resourceType, 'ACCOUNT_SETTINGS');
      for (const f of findings) {
        assert.equal(f.taskId, taskId);
        assert.equal(f.isSuppressed, false);
        assert.ok(f.taskStartTime instanceof Date && f.findingTime instanceof Date);
      }

      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      await action(client, 'blank', { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } });
      await client.send(
        new StartAuditMitigationActionsTaskCommand({
          taskId: `fix-${backend}`,
          target: { auditTaskId: taskId },
          auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'], IOT_POLICY_OVERLY_PERMISSIVE_CHECK: ['blank'] },
        }),
      );
      const fix = await waitAudit(client, `fix-${backend}`);
      assert.equal(fix.taskStatus, 'COMPLETED');
      assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: soon }))).certificateDescription?.status, 'INACTIVE');
      const policy = await client.send(new GetPolicyCommand({ policyName: 'too-open' }));
      assert.equal(policy.defaultVersionId, '2');
      assert.deepEqual(JSON.parse(policy.policyDocument!), BLANK);

      const second = await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: CHECKS.slice(0, 2) }));
      const again = await waitAuditTask(client, second.taskId!);
      assert.equal(again.auditDetails!.DEVICE_CERTIFICATE_EXPIRING_CHECK.checkRunStatus, 'COMPLETED_COMPLIANT');
      assert.equal(again.auditDetails!.DEVICE_CERTIFICATE_EXPIRING_CHECK.totalResourcesCount, 1, 'the INACTIVE certificate is no longer audited');
      assert.equal(again.auditDetails!.IOT_POLICY_OVERLY_PERMISSIVE_CHECK.checkRunStatus, 'COMPLETED_COMPLIANT');
      assert.deepEqual((await client.send(new ListAuditFindingsCommand({ taskId: second.taskId }))).findings, []);
    });

    test('a suppressed resource: its finding is marked and counted, the mitigation task skips it', async () => {
      await reset(server.url);
      const kept = await expiringDevice(client, 'lab-1', 10);
      const fixed = await expiringDevice(client, 'field-1', 10);
      await enableChecks(client, ['DEVICE_CERTIFICATE_EXPIRING_CHECK']);
      await client.send(
        new CreateAuditSuppressionCommand({
          checkName: 'DEVICE_CERTIFICATE_EXPIRING_CHECK',
          resourceIdentifier: { deviceCertificateId: kept },
          suppressIndefinitely: true,
          description: 'lab device',
        }),
      );
      const { taskId } = await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: ['DEVICE_CERTIFICATE_EXPIRING_CHECK'] }));
      const audit = await waitAuditTask(client, taskId!);
      const details = audit.auditDetails!.DEVICE_CERTIFICATE_EXPIRING_CHECK;
      assert.deepEqual([details.checkRunStatus, details.nonCompliantResourcesCount, details.suppressedNonCompliantResourcesCount], ['COMPLETED_NON_COMPLIANT', 2, 1]);
      const findings = (await client.send(new ListAuditFindingsCommand({ taskId }))).findings!;
      const suppressedOf = Object.fromEntries(findings.map((f) => [f.nonCompliantResource!.resourceIdentifier!.deviceCertificateId!, f.isSuppressed]));
      assert.deepEqual(suppressedOf, { [kept]: true, [fixed]: false });
      const unsuppressed = (await client.send(new ListAuditFindingsCommand({ taskId, listSuppressedFindings: false }))).findings!;
      assert.deepEqual(unsuppressed.map((f) => f.nonCompliantResource!.resourceIdentifier!.deviceCertificateId), [fixed]);

      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      await client.send(
        new StartAuditMitigationActionsTaskCommand({ taskId: `skip-${backend}`, target: { auditTaskId: taskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] } }),
      );
      const fix = await waitAudit(client, `skip-${backend}`);
      assert.deepEqual(fix.taskStatistics!.DEVICE_CERTIFICATE_EXPIRING_CHECK, { totalFindingsCount: 2, failedFindingsCount: 0, succeededFindingsCount: 1, skippedFindingsCount: 1, canceledFindingsCount: 0 });
      assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: kept }))).certificateDescription?.status, 'ACTIVE');
      assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: fixed }))).certificateDescription?.status, 'INACTIVE');

      const again = await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: ['DEVICE_CERTIFICATE_EXPIRING_CHECK'] }));
      const second = (await waitAuditTask(client, again.taskId!)).auditDetails!.DEVICE_CERTIFICATE_EXPIRING_CHECK;
      assert.deepEqual([second.checkRunStatus, second.checkCompliant, second.nonCompliantResourcesCount, second.suppressedNonCompliantResourcesCount], ['COMPLETED_COMPLIANT', true, 1, 1]);
    });

    test('an audit task made of injected findings describes each check it has findings of', async () => {
      await reset(server.url);
      const audit = await injectFindings(server.url, {
        findings: [certFinding('a'.repeat(64)), { ...certFinding('b'.repeat(64)), isSuppressed: true }, loggingFinding()],
      });
      const d = await client.send(new DescribeAuditTaskCommand({ taskId: audit.taskId }));
      assert.equal(d.taskStatus, 'COMPLETED');
      assert.deepEqual(d.auditDetails, {
        DEVICE_CERTIFICATE_EXPIRING_CHECK: { checkRunStatus: 'COMPLETED_NON_COMPLIANT', checkCompliant: false, totalResourcesCount: 2, nonCompliantResourcesCount: 2, suppressedNonCompliantResourcesCount: 1 },
        LOGGING_DISABLED_CHECK: { checkRunStatus: 'COMPLETED_NON_COMPLIANT', checkCompliant: false, totalResourcesCount: 1, nonCompliantResourcesCount: 1, suppressedNonCompliantResourcesCount: 0 },
      });
      assert.equal(d.taskStatistics?.nonCompliantChecks, 2);
    });

    test('start refuses unknown and disabled checks, and stores nothing', async () => {
      await reset(server.url);
      await enableChecks(client, ['LOGGING_DISABLED_CHECK']);
      await assertFails(client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: ['NO_SUCH_CHECK'] })), 'InvalidRequestException', 400, /NO_SUCH_CHECK/);
      await assertFails(
        client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: ['LOGGING_DISABLED_CHECK', 'DEVICE_CERTIFICATE_AGE_CHECK'] })),
        'InvalidRequestException',
        400,
        /DEVICE_CERTIFICATE_AGE_CHECK is not enabled/,
      );
      const listed = await client.send(new ListAuditTasksCommand({ startTime: new Date(Date.now() - DAY), endTime: new Date(Date.now() + DAY) }));
      assert.deepEqual(listed.tasks, []);
      await assertFails(client.send(new DescribeAuditTaskCommand({ taskId: 'a'.repeat(32) })), 'ResourceNotFoundException', 404, /does not exist/);
    });

    test('a finished audit publishes its notification to the outbox', async () => {
      await reset(server.url);
      await enableChecks(client, ['LOGGING_DISABLED_CHECK'], true, NOTIFY);
      const { taskId } = await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: ['LOGGING_DISABLED_CHECK'] }));
      await waitAuditTask(client, taskId!);
      const messages = await until('the notification in the outbox', async () => {
        const r = await snsMessages(server.url, `?topicArn=${encodeURIComponent(TOPIC)}`);
        const { messages } = r.json as { messages: { message: string; topicArn: string }[] };
        return messages.length ? messages : undefined;
      });
      assert.equal(messages.length, 1);
      const body = JSON.parse(messages[0].message);
      assert.equal(body.accountId, '000000000000');
      assert.equal(body.taskId, taskId);
      assert.equal(body.taskStatus, 'COMPLETED');
      assert.equal(body.taskType, 'ON_DEMAND_AUDIT_TASK');
      assert.equal(body.nonCompliantChecksCount, 1);
      assert.equal(body.totalChecksCount, 1);
      assert.equal(typeof body.taskStartTime, 'number');
      assert.deepEqual(body.auditDetails, [
        { checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 1, totalResourcesCount: 1, suppressedNonCompliantResourcesCount: 0 },
      ]);
    });
  });

  describe(`audit tasks without the runner: limits, cancel, lists (${backend})`, () => {
    let server: Running;
    let client: IoTClient;
    before(async () => {
      server = await startServer({ backend, args: ['--no-engine'] });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('more than 10 audits in progress answer LimitExceededException', async () => {
      await reset(server.url);
      await enableChecks(client, ['LOGGING_DISABLED_CHECK']);
      for (let i = 0; i < 10; i++) await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: ['LOGGING_DISABLED_CHECK'] }));
      await assertFails(client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: ['LOGGING_DISABLED_CHECK'] })), 'LimitExceededException', 410, /up to 10/);
    });

    test('cancel ends the audit CANCELED with its checks CANCELED; a second cancel is refused', async () => {
      await reset(server.url);
      await enableChecks(client, CHECKS);
      const { taskId } = await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: CHECKS }));
      const running = await client.send(new DescribeAuditTaskCommand({ taskId }));
      assert.equal(running.taskStatus, 'IN_PROGRESS');
      assert.equal(running.taskStatistics?.inProgressChecks, 3);
      await client.send(new CancelAuditTaskCommand({ taskId }));
      const canceled = await client.send(new DescribeAuditTaskCommand({ taskId }));
      assert.equal(canceled.taskStatus, 'CANCELED');
      assert.equal(canceled.taskStatistics?.canceledChecks, 3);
      for (const c of CHECKS) assert.equal(canceled.auditDetails![c].checkRunStatus, 'CANCELED');
      await assertFails(client.send(new CancelAuditTaskCommand({ taskId })), 'InvalidRequestException', 400, /CANCELED, not IN_PROGRESS/);
      await assertFails(client.send(new CancelAuditTaskCommand({ taskId: 'f'.repeat(32) })), 'ResourceNotFoundException', 404);
    });

    test('ListAuditTasks: window, filters, newest first, pages; no older than 90 days', async () => {
      await reset(server.url);
      await enableChecks(client, CHECKS);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: ['LOGGING_DISABLED_CHECK'] }))).taskId!);
        await new Promise((r) => setTimeout(r, 5));
      }
      await client.send(new CancelAuditTaskCommand({ taskId: ids[0] }));
      const window = { startTime: new Date(Date.now() - DAY), endTime: new Date(Date.now() + DAY) };
      const seen: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new ListAuditTasksCommand({ ...window, maxResults: 2, nextToken }));
        assert.ok(page.tasks!.length <= 2);
        seen.push(...page.tasks!.map((t) => t.taskId!));
        nextToken = page.nextToken;
      } while (nextToken);
      assert.deepEqual(seen, [...ids].reverse());
      const canceled = await client.send(new ListAuditTasksCommand({ ...window, taskStatus: 'CANCELED' }));
      assert.deepEqual(canceled.tasks, [{ taskId: ids[0], taskStatus: 'CANCELED', taskType: 'ON_DEMAND_AUDIT_TASK' }]);
      const scheduled = await client.send(new ListAuditTasksCommand({ ...window, taskType: 'SCHEDULED_AUDIT_TASK' }));
      assert.deepEqual(scheduled.tasks, []);
      const empty = await client.send(new ListAuditTasksCommand({ startTime: new Date(Date.now() - 2 * DAY), endTime: new Date(Date.now() - DAY) }));
      assert.deepEqual(empty.tasks, []);
      await assertFails(client.send(new ListAuditTasksCommand({ startTime: new Date(Date.now() - 91 * DAY), endTime: new Date() })), 'InvalidRequestException', 400, /90 days/);
    });
  });
}
