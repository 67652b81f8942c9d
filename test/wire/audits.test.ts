// Real audits through boto3 under both Pythons of the image (1.43 signs as `iot`, Debian's 1.26 as
// `execute-api`): the timestamps boto3 puts in ListAuditTasks' query string, the shapes it parses
// back, and the exception names and statuses it raises.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, reset, run, startServer, type Running } from '../harness.js';
import { clientEnv } from './env.js';

const CLIENTS = [
  { name: 'boto3 1.43 on pyenv python3', python: 'python3' },
  { name: 'boto3 1.26 on Debian /usr/bin/python3', python: '/usr/bin/python3' },
];

describe('audits through boto3', () => {
  let server: Running;
  before(async () => {
    server = await startServer({ backend: 'sqlite' });
  });
  after(async () => server?.cleanup());

  for (const { name, python } of CLIENTS) {
    test(name, async () => {
      await reset(server.url);
      const r = await run(python, [join(ROOT, 'test/wire/py/audits.py'), server.url], { env: clientEnv(), timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      const o = JSON.parse(r.stdout);
      assert.equal(o.update.ok, true, JSON.stringify(o.update));
      assert.deepEqual(o.enabled, ['IOT_POLICY_OVERLY_PERMISSIVE_CHECK', 'LOGGING_DISABLED_CHECK']);
      assert.equal(o.roleArn, 'arn:aws:iam::000000000000:role/warden-audit');
      assert.match(o.started.taskId, /^[0-9a-f]{32}$/);
      const d = o.describe;
      assert.equal(d.taskStatus, 'COMPLETED');
      assert.equal(d.taskType, 'ON_DEMAND_AUDIT_TASK');
      assert.equal(d.taskStartTime.datetime, true);
      assert.equal(d.taskStatistics.nonCompliantChecks, 2);
      assert.equal(d.auditDetails.IOT_POLICY_OVERLY_PERMISSIVE_CHECK.nonCompliantResourcesCount, 1);
      assert.equal(d.auditDetails.LOGGING_DISABLED_CHECK.checkRunStatus, 'COMPLETED_NON_COMPLIANT');
      assert.deepEqual(o.listed.tasks, [{ taskId: o.started.taskId, taskStatus: 'COMPLETED', taskType: 'ON_DEMAND_AUDIT_TASK' }]);
      assert.deepEqual(o.listedCompleted.tasks, o.listed.tasks);
      const byCheck = Object.fromEntries(o.findings.findings.map((f: Record<string, any>) => [f.checkName, f]));
      assert.deepEqual(byCheck.IOT_POLICY_OVERLY_PERMISSIVE_CHECK.nonCompliantResource.resourceIdentifier, { policyVersionIdentifier: { policyName: 'py-open', policyVersionId: '1' } });
      assert.equal(byCheck.LOGGING_DISABLED_CHECK.findingTime.datetime, true);
      assert.deepEqual(o.related.relatedResources, []);
      assert.equal(o.suppress.ok, true, JSON.stringify(o.suppress));
      assert.equal(o.suppressions.suppressions.length, 1);
      assert.equal(o.suppressions.suppressions[0].suppressIndefinitely, true);
      assert.equal(o.scheduled.scheduledAuditArn, 'arn:aws:iot:us-east-1:000000000000:scheduledaudit/py-weekly');
      assert.equal(o.scheduledDescribe.dayOfWeek, 'MON');
      assert.deepEqual([o.unknownCheck.code, o.unknownCheck.status], ['InvalidRequestException', 400]);
      assert.match(o.unknownCheck.message, /NO_SUCH_CHECK/);
      assert.deepEqual([o.missingTask.code, o.missingTask.status], ['ResourceNotFoundException', 404]);
      assert.deepEqual([o.cancelDone.code, o.cancelDone.status], ['InvalidRequestException', 400]);
      assert.deepEqual([o.badSchedule.code, o.badSchedule.status], ['InvalidRequestException', 400]);
      assert.match(o.badSchedule.message, /dayOfMonth/);
    });
  }
});
