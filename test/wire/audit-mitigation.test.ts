// Audit mitigation through the real clients: the AWS documentation's example through both AWS CLIs
// (pyenv v1 `aws`, Debian v2 /usr/bin/aws), and a full scenario through boto3 under both Pythons.
// The CLI commands run through each CLI's own script in one long-lived Python process per CLI
// (test/wire/cli-runner.ts), a new driver per command; test/wire/cli-runner.test.ts checks on a sample
// that this gives what the CLI's own process gives.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetPolicyCommand } from '@aws-sdk/client-iot';
import { iot, reset, ROOT, run, startServer, type Running } from '../harness.js';
import { action, certFinding, deviceWithCert, injectFindings, openPolicy, policyFinding } from '../operations/mitigation-helpers.js';
import { runCli, stopCliRunners } from './cli-runner.js';
import { clientEnv } from './env.js';

const BLANK = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:*', Resource: '*' }] };
const CLIS: [string, string][] = [
  ['AWS CLI v1', 'aws'],
  ['AWS CLI v2', '/usr/bin/aws'],
];
const PYTHONS: [string, string][] = [
  ['boto3 1.43', 'python3'],
  ['boto3 1.26', '/usr/bin/python3'],
];

describe('audit mitigation through the real clients', () => {
  let server: Running;
  let client: ReturnType<typeof iot>;
  before(async () => {
    server = await startServer();
    client = iot(server.url);
  });
  after(async () => {
    client?.destroy();
    stopCliRunners();
    await server?.cleanup();
  });

  for (const [label, aws] of CLIS) {
    test(`${label}: the AWS documentation's example works as written and the policy's default version becomes the blank one`, async () => {
      await reset(server.url);
      await openPolicy(client, 'too-open');
      await action(client, 'ResetPolicyVersionAction', { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } });
      await injectFindings(server.url, { findings: [{ findingId: '0edbaaec-2fe1-4cf5-abc9-d4c3e51f7464', ...policyFinding('too-open') }] });
      const cli = (args: string[]) => runCli(aws, ['--endpoint-url', server.url, 'iot', ...args], { env: clientEnv() });
      const r = await cli([
        'start-audit-mitigation-actions-task',
        '--task-id', 'myActionsTaskId',
        '--target', 'findingIds=["0edbaaec-2fe1-4cf5-abc9-d4c3e51f7464"]',
        '--audit-check-to-actions-mapping', 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK=["ResetPolicyVersionAction"]',
        '--client-request-token', 'adhadhahda',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { taskId: 'myActionsTaskId' });
      assert.match(r.stdout, /"taskId": "myActionsTaskId"/);
      let status = 'IN_PROGRESS';
      let described: any;
      for (let i = 0; i < 100 && status === 'IN_PROGRESS'; i++) {
        const d = await cli(['describe-audit-mitigation-actions-task', '--task-id', 'myActionsTaskId']);
        assert.equal(d.code, 0, d.stderr);
        described = JSON.parse(d.stdout);
        status = described.taskStatus;
      }
      assert.equal(status, 'COMPLETED');
      assert.deepEqual(described.taskStatistics.IOT_POLICY_OVERLY_PERMISSIVE_CHECK, {
        totalFindingsCount: 1, failedFindingsCount: 0, succeededFindingsCount: 1, skippedFindingsCount: 0, canceledFindingsCount: 0,
      });
      assert.deepEqual(described.target, { findingIds: ['0edbaaec-2fe1-4cf5-abc9-d4c3e51f7464'] });
      const execs = await cli(['list-audit-mitigation-actions-executions', '--task-id', 'myActionsTaskId', '--finding-id', '0edbaaec-2fe1-4cf5-abc9-d4c3e51f7464']);
      assert.equal(execs.code, 0, execs.stderr);
      assert.deepEqual(JSON.parse(execs.stdout).actionsExecutions.map((e: any) => [e.actionName, e.status]), [['ResetPolicyVersionAction', 'COMPLETED']]);
      const policy = await client.send(new GetPolicyCommand({ policyName: 'too-open' }));
      assert.deepEqual(JSON.parse(policy.policyDocument!), BLANK);
      assert.equal(policy.defaultVersionId, '2');
      const replay = await cli([
        'start-audit-mitigation-actions-task', '--task-id', 'myActionsTaskId',
        '--target', 'findingIds=["0edbaaec-2fe1-4cf5-abc9-d4c3e51f7464"]',
        '--audit-check-to-actions-mapping', 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK=["ResetPolicyVersionAction"]',
        '--client-request-token', 'another-token',
      ]);
      assert.notEqual(replay.code, 0);
      assert.match(replay.stderr, /An error occurred \(TaskAlreadyExistsException\) when calling the StartAuditMitigationActionsTask operation/);
      const cancel = await cli(['cancel-audit-mitigation-actions-task', '--task-id', 'myActionsTaskId']);
      assert.match(cancel.stderr, /InvalidRequestException/);
    });
  }

  for (const [label, python] of PYTHONS) {
    test(`${label}: the full audit scenario`, async () => {
      await reset(server.url);
      const dev = await deviceWithCert(client, 'py-device');
      await openPolicy(client, 'py-open');
      const audit = await injectFindings(server.url, { findings: [certFinding(dev.certificateId), policyFinding('py-open')] });
      const r = await run(python, [join(ROOT, 'test/wire/py/audit_mitigation.py'), server.url, audit.taskId, dev.certificateId, 'py-open'], { env: clientEnv() });
      assert.equal(r.code, 0, r.stderr);
      const o = JSON.parse(r.stdout);
      assert.equal(o.started, 'py-task');
      assert.equal(o.status, 'COMPLETED');
      assert.equal(o.endTimeType, 'datetime');
      assert.deepEqual(o.target, { auditTaskId: audit.taskId });
      assert.deepEqual(o.actions, ['py-blank', 'py-cert-off']);
      for (const check of ['DEVICE_CERTIFICATE_EXPIRING_CHECK', 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK']) {
        assert.deepEqual(o.stats[check], { totalFindingsCount: 1, failedFindingsCount: 0, succeededFindingsCount: 1, skippedFindingsCount: 0, canceledFindingsCount: 0 });
      }
      assert.deepEqual(o.executions, {
        DEVICE_CERTIFICATE_EXPIRING_CHECK: [['py-cert-off', 'COMPLETED', 'datetime']],
        IOT_POLICY_OVERLY_PERMISSIVE_CHECK: [['py-blank', 'COMPLETED', 'datetime']],
      });
      assert.equal(o.certStatus, 'INACTIVE');
      assert.equal(o.policyDefault, '2');
      assert.deepEqual(o.policyDocument, BLANK);
      assert.equal(o.cancelAfter, 'InvalidRequestException');
    });
  }
});
