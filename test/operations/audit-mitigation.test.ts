import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CancelAuditMitigationActionsTaskCommand,
  DescribeAuditMitigationActionsTaskCommand,
  DescribeCertificateCommand,
  GetPolicyCommand,
  GetV2LoggingOptionsCommand,
  ListAuditMitigationActionsExecutionsCommand,
  ListAuditMitigationActionsTasksCommand,
  ListThingGroupsForThingCommand,
  StartAuditMitigationActionsTaskCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running } from '../harness.js';
import { failure } from './certificates-helpers.js';
import { action, certFinding, deviceWithCert, group, injectFindings, loggingFinding, openPolicy, policyFinding, waitAudit } from './mitigation-helpers.js';

const BLANK = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:*', Resource: '*' }] };
const window = () => ({ startTime: new Date(Date.now() - 3600_000), endTime: new Date(Date.now() + 3600_000) });

for (const backend of BACKENDS) {
  describe(`audit mitigation actions tasks (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('a task over an audit runs every action with its real effect and exact statistics', async () => {
      await reset(server.url);
      const dev = await deviceWithCert(client, 'sensor-1');
      await openPolicy(client, 'too-open');
      await group(client, 'quarantine');
      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      await action(client, 'isolate', { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } });
      await action(client, 'blank', { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } });
      await action(client, 'logs-on', { enableIoTLoggingParams: { roleArnForLogging: 'arn:aws:iam::000000000000:role/logs', logLevel: 'WARN' } });
      const audit = await injectFindings(server.url, { findings: [certFinding(dev.certificateId), policyFinding('too-open'), loggingFinding()] });

      const started = Date.now();
      const out = await client.send(
        new StartAuditMitigationActionsTaskCommand({
          taskId: 'full-loop',
          target: { auditTaskId: audit.taskId },
          auditCheckToActionsMapping: {
            DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off', 'isolate'],
            IOT_POLICY_OVERLY_PERMISSIVE_CHECK: ['blank'],
            LOGGING_DISABLED_CHECK: ['logs-on'],
          },
        }),
      );
      assert.equal(out.taskId, 'full-loop');
      const first = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'full-loop' }));
      assert.equal(first.taskStatistics?.DEVICE_CERTIFICATE_EXPIRING_CHECK?.totalFindingsCount, 1, 'totals are known from the first Describe');
      const done = await waitAudit(client, 'full-loop');
      assert.equal(done.taskStatus, 'COMPLETED');
      assert.ok(done.endTime!.getTime() >= started - 1000);
      for (const check of ['DEVICE_CERTIFICATE_EXPIRING_CHECK', 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK', 'LOGGING_DISABLED_CHECK']) {
        assert.deepEqual(done.taskStatistics![check], { totalFindingsCount: 1, failedFindingsCount: 0, succeededFindingsCount: 1, skippedFindingsCount: 0, canceledFindingsCount: 0 });
      }
      assert.deepEqual(done.target, { auditTaskId: audit.taskId });
      assert.deepEqual(done.actionsDefinition!.map((a) => a.name).sort(), ['blank', 'cert-off', 'isolate', 'logs-on']);

      assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: dev.certificateId }))).certificateDescription?.status, 'INACTIVE');
      assert.deepEqual((await client.send(new ListThingGroupsForThingCommand({ thingName: 'sensor-1' }))).thingGroups?.map((g) => g.groupName), ['quarantine']);
      const policy = await client.send(new GetPolicyCommand({ policyName: 'too-open' }));
      assert.equal(policy.defaultVersionId, '2');
      assert.deepEqual(JSON.parse(policy.policyDocument!), BLANK);
      const logging = await client.send(new GetV2LoggingOptionsCommand({}));
      assert.equal(logging.defaultLogLevel, 'WARN');
      assert.equal(logging.roleArn, 'arn:aws:iam::000000000000:role/logs');

      const execs = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'full-loop', findingId: audit.findingIds[0] }));
      assert.deepEqual(execs.actionsExecutions?.map((e) => [e.actionName, e.status]), [['cert-off', 'COMPLETED'], ['isolate', 'COMPLETED']]);
      assert.ok(execs.actionsExecutions!.every((e) => e.startTime instanceof Date && e.endTime instanceof Date && e.errorCode === undefined));
      const tasks = await client.send(new ListAuditMitigationActionsTasksCommand({ ...window(), auditTaskId: audit.taskId }));
      assert.deepEqual(tasks.tasks?.map((t) => [t.taskId, t.taskStatus]), [['full-loop', 'COMPLETED']]);
    });

    test('a failed action skips the finding\'s later actions; the task ends FAILED', async () => {
      await reset(server.url);
      const revoked = await deviceWithCert(client, 'revoked-one');
      const fine = await deviceWithCert(client, 'fine-one');
      await client.send(new UpdateCertificateCommand({ certificateId: revoked.certificateId, newStatus: 'REVOKED' }));
      await group(client, 'quarantine');
      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      await action(client, 'isolate', { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } });
      const audit = await injectFindings(server.url, { findings: [certFinding(revoked.certificateId), certFinding(fine.certificateId)] });
      await client.send(
        new StartAuditMitigationActionsTaskCommand({ taskId: 'with-failure', target: { findingIds: audit.findingIds }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off', 'isolate'] } }),
      );
      const done = await waitAudit(client, 'with-failure');
      assert.equal(done.taskStatus, 'FAILED');
      assert.deepEqual(done.taskStatistics!.DEVICE_CERTIFICATE_EXPIRING_CHECK, { totalFindingsCount: 2, failedFindingsCount: 1, succeededFindingsCount: 1, skippedFindingsCount: 0, canceledFindingsCount: 0 });
      const bad = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'with-failure', findingId: audit.findingIds[0] }));
      assert.deepEqual(bad.actionsExecutions?.map((e) => [e.actionName, e.status, e.errorCode]), [['cert-off', 'FAILED', 'INVALID_STATE_OF_RESOURCE'], ['isolate', 'SKIPPED', undefined]]);
      assert.ok(bad.actionsExecutions![0].message!.length > 0);
      const failedOnly = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'with-failure', findingId: audit.findingIds[0], actionStatus: 'FAILED' }));
      assert.equal(failedOnly.actionsExecutions?.length, 1);
      assert.deepEqual((await client.send(new ListThingGroupsForThingCommand({ thingName: 'revoked-one' }))).thingGroups, []);
      assert.deepEqual((await client.send(new ListThingGroupsForThingCommand({ thingName: 'fine-one' }))).thingGroups?.map((g) => g.groupName), ['quarantine']);
      assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: revoked.certificateId }))).certificateDescription?.status, 'REVOKED');
    });

    test('suppressed findings and findings outside the reason-code filter are skipped, unmapped checks not counted', async () => {
      await reset(server.url);
      const a = await deviceWithCert(client, 'a');
      const b = await deviceWithCert(client, 'b');
      const c = await deviceWithCert(client, 'c');
      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      const audit = await injectFindings(server.url, {
        findings: [
          certFinding(a.certificateId),
          { ...certFinding(b.certificateId), isSuppressed: true },
          { ...certFinding(c.certificateId), reasonForNonComplianceCode: 'CERTIFICATE_PAST_EXPIRATION' },
          loggingFinding(),
        ],
      });
      await client.send(
        new StartAuditMitigationActionsTaskCommand({
          taskId: 'filtered',
          target: { auditTaskId: audit.taskId, auditCheckToReasonCodeFilter: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['CERTIFICATE_APPROACHING_EXPIRATION'] } },
          auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] },
        }),
      );
      const done = await waitAudit(client, 'filtered');
      assert.equal(done.taskStatus, 'COMPLETED');
      assert.deepEqual(Object.keys(done.taskStatistics!), ['DEVICE_CERTIFICATE_EXPIRING_CHECK']);
      assert.deepEqual(done.taskStatistics!.DEVICE_CERTIFICATE_EXPIRING_CHECK, { totalFindingsCount: 3, failedFindingsCount: 0, succeededFindingsCount: 1, skippedFindingsCount: 2, canceledFindingsCount: 0 });
      const statuses = await Promise.all([a, b, c].map(async (d) => (await client.send(new DescribeCertificateCommand({ certificateId: d.certificateId }))).certificateDescription?.status));
      assert.deepEqual(statuses, ['INACTIVE', 'ACTIVE', 'ACTIVE']);
    });

    test('a task with nothing to act on is COMPLETED at once', async () => {
      await reset(server.url);
      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      const audit = await injectFindings(server.url, { findings: [loggingFinding()] });
      await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 'empty', target: { auditTaskId: audit.taskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] } }));
      const d = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'empty' }));
      assert.equal(d.taskStatus, 'COMPLETED');
      assert.ok(d.endTime instanceof Date);
    });

    test('Start validates synchronously and stores nothing when it refuses (D1–D5)', async () => {
      await reset(server.url);
      const dev = await deviceWithCert(client, 'v');
      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      await action(client, 'blank', { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } });
      const audit = await injectFindings(server.url, { findings: [certFinding(dev.certificateId)] });
      const map = { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] };
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ target: { findingIds: ['no-such-finding'] }, auditCheckToActionsMapping: map }, /no-such-finding/],
        [{ target: { auditTaskId: 'ffffffffffffffffffffffffffffffff' }, auditCheckToActionsMapping: map }, /ffffffffffffffffffffffffffffffff/],
        [{ target: { auditTaskId: audit.taskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['nope'] } }, /nope/],
        [{ target: { auditTaskId: audit.taskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['blank'] } }, /blank.*REPLACE_DEFAULT_POLICY_VERSION/],
        [{ target: { auditTaskId: audit.taskId }, auditCheckToActionsMapping: { DEVICE_CERT_APPROACHING_EXPIRATION_CHECK: ['cert-off'] } }, /DEVICE_CERT_APPROACHING_EXPIRATION_CHECK/],
        [{ target: { auditTaskId: audit.taskId, findingIds: audit.findingIds }, auditCheckToActionsMapping: map }, /exactly one/],
        [{ target: {}, auditCheckToActionsMapping: map }, /exactly one/],
        [{ target: { findingIds: audit.findingIds, auditCheckToReasonCodeFilter: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['X'] } }, auditCheckToActionsMapping: map }, /auditCheckToReasonCodeFilter/],
      ];
      for (const [i, [input, message]] of cases.entries()) {
        const e = await failure(client.send(new StartAuditMitigationActionsTaskCommand({ taskId: `bad${i}`, ...(input as object) } as never)));
        assert.equal(e.name, 'InvalidRequestException', `case ${i}`);
        assert.match(e.message, message, `case ${i}`);
      }
      const listed = await client.send(new ListAuditMitigationActionsTasksCommand(window()));
      assert.deepEqual(listed.tasks, []);
      assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: dev.certificateId }))).certificateDescription?.status, 'ACTIVE');
    });

    test('idempotency: the same id and token replays; a different token or a reused token is TaskAlreadyExistsException', async () => {
      await reset(server.url);
      const dev = await deviceWithCert(client, 'i');
      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      const audit = await injectFindings(server.url, { findings: [certFinding(dev.certificateId)] });
      const input = { target: { findingIds: audit.findingIds }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] } };
      await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 't1', clientRequestToken: 'token-1', ...input }));
      assert.equal((await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 't1', clientRequestToken: 'token-1', ...input }))).taskId, 't1');
      const other = await failure(client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 't1', clientRequestToken: 'token-2', ...input })));
      assert.equal(other.name, 'TaskAlreadyExistsException');
      assert.equal(other.$metadata.httpStatusCode, 400);
      const reused = await failure(client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 't2', clientRequestToken: 'token-1', ...input })));
      assert.equal(reused.name, 'TaskAlreadyExistsException');
      assert.match(reused.message, /t1/);
      await waitAudit(client, 't1');
      assert.equal((await client.send(new ListAuditMitigationActionsTasksCommand(window()))).tasks?.length, 1);
    });

    test('cancel: unknown task is 404, a finished task cannot be canceled', async () => {
      await reset(server.url);
      const e = await failure(client.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'nope' })));
      assert.equal(e.name, 'ResourceNotFoundException');
      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      const audit = await injectFindings(server.url, { findings: [loggingFinding()] });
      await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 'over', target: { auditTaskId: audit.taskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] } }));
      const late = await failure(client.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'over' })));
      assert.equal(late.name, 'InvalidRequestException');
    });
  });
}

describe('with the engine stopped (--no-engine): limits, cancel and pending executions', () => {
  let server: Running;
  let client: ReturnType<typeof iot>;
  before(async () => {
    server = await startServer({ args: ['--no-engine'] });
    client = iot(server.url);
  });
  after(async () => {
    client?.destroy();
    await server?.cleanup();
  });

  test('an 11th task in progress is LimitExceededException; cancel ends one, counting its findings as canceled', async () => {
    await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
    const dev = await deviceWithCert(client, 'limit');
    const audit = await injectFindings(server.url, { findings: [certFinding(dev.certificateId), certFinding(dev.certificateId)] });
    const input = { target: { auditTaskId: audit.taskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] } };
    for (let i = 0; i < 10; i++) await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: `l${i}`, ...input }));
    const e = await failure(client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 'l10', ...input })));
    assert.equal(e.name, 'LimitExceededException');
    assert.equal(e.$metadata.httpStatusCode, 410);
    const pending = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'l0', findingId: audit.findingIds[0] }));
    assert.deepEqual(pending.actionsExecutions ?? [], [], 'not planned yet: the engine has not seen the task');
    await client.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'l0' }));
    const d = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'l0' }));
    assert.equal(d.taskStatus, 'CANCELED');
    assert.ok(d.endTime instanceof Date);
    assert.deepEqual(d.taskStatistics!.DEVICE_CERTIFICATE_EXPIRING_CHECK, { totalFindingsCount: 2, failedFindingsCount: 0, succeededFindingsCount: 0, skippedFindingsCount: 0, canceledFindingsCount: 2 });
    await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 'l10', ...input }));
    const again = await failure(client.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'l0' })));
    assert.equal(again.name, 'InvalidRequestException');
    const inProgress = await client.send(new ListAuditMitigationActionsTasksCommand({ ...window(), taskStatus: 'IN_PROGRESS', maxResults: 4 }));
    assert.equal(inProgress.tasks?.length, 4);
    assert.ok(inProgress.nextToken);
  });
});
