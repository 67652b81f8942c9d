// Findings and violations through real clients: boto3 under both Pythons of the image (1.43 signs
// with `iot`, 1.26 with `execute-api`) and both AWS CLIs (v1 exits 255 on a service error, v2 254).
// Findings and violations are injected with signed raw requests; the clients read, page, filter
// and verify. The Python scenario is fed on stdin and prints one JSON object of observations.
// The CLI commands run through each CLI's own script in one long-lived Python process per CLI
// (test/wire/cli-runner.ts), a new driver per command; test/wire/cli-runner.test.ts checks on a sample
// that this gives what the CLI's own process gives.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reset, startServer, type Running } from '../harness.js';
import { awsIot } from '../wire/aws-iot.js';
import { stopCliRunners } from '../wire/cli-runner.js';
import { pythonScenario } from '../wire/env.js';
import { certFinding, injectFindings, injectViolations, policyFinding, violation } from './findings-helpers.js';

const SCRIPT = String.raw`
import datetime, json, sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

iot = boto3.client('iot', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test',
                   aws_secret_access_key='test', config=Config(retries={'max_attempts': 0}))

def plain(v):
    if isinstance(v, datetime.datetime):
        return {'epoch': v.timestamp(), 'tzaware': v.tzinfo is not None}
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k != 'ResponseMetadata'}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v

def call(fn, **kw):
    try:
        return dict(ok=True, **plain(fn(**kw)))
    except ClientError as e:
        return {'ok': False, 'code': e.response['Error']['Code'], 'status': e.response['ResponseMetadata']['HTTPStatusCode'],
                'message': e.response['Error'].get('Message')}

def pages(op, **kw):
    return [plain(p) for p in iot.get_paginator(op).paginate(**kw, PaginationConfig={'PageSize': 2})]

now = datetime.datetime.now(datetime.timezone.utc)
hour = datetime.timedelta(hours=1)
o = {'signingName': iot.meta.service_model.signing_name}
o['describe'] = call(iot.describe_audit_finding, findingId='wire-f1')
o['missing'] = call(iot.describe_audit_finding, findingId='no-such-finding')
o['taskPages'] = pages('list_audit_findings', taskId='wire-audit')
o['suppressed'] = call(iot.list_audit_findings, taskId='wire-audit', listSuppressedFindings=True)
o['window'] = call(iot.list_audit_findings, startTime=now - hour, endTime=now + hour, checkName='IOT_POLICY_OVERLY_PERMISSIVE_CHECK')
o['both'] = call(iot.list_audit_findings, taskId='wire-audit', startTime=now - hour, endTime=now + hour)
o['put'] = call(iot.put_verification_state_on_violation, violationId='wire-v1', verificationState='BENIGN_POSITIVE',
                verificationStateDescription='maintenance window')
o['putMissing'] = call(iot.put_verification_state_on_violation, violationId='nope', verificationState='UNKNOWN')
o['activePages'] = pages('list_active_violations')
o['benign'] = call(iot.list_active_violations, verificationState='BENIGN_POSITIVE')
o['events'] = pages('list_violation_events', startTime=now - 2 * hour, endTime=now + hour, thingName='wire-thing-2')
print(json.dumps(o))
`;

const PYTHONS = [
  { name: 'boto3 1.43 on pyenv python3', python: 'python3', signingName: 'iot' },
  { name: 'boto3 1.26 on Debian /usr/bin/python3', python: '/usr/bin/python3', signingName: 'execute-api' },
];
const CLIS = [
  { name: 'AWS CLI v1 (pyenv aws)', cmd: 'aws', errorExit: 255 },
  { name: 'AWS CLI v2 (Debian /usr/bin/aws)', cmd: '/usr/bin/aws', errorExit: 254 },
];

let server: Running;
let injectedAt = 0;

/** Three findings in task wire-audit (one suppressed); two violations in alarm and one cleared. */
async function scenario(): Promise<void> {
  await reset(server.url);
  injectedAt = Date.now() / 1000;
  await injectFindings(server.url, {
    taskId: 'wire-audit',
    findings: [
      { ...certFinding('wire-cert'), findingId: 'wire-f1' },
      { ...certFinding('wire-cert-2', { isSuppressed: true }), findingId: 'wire-f2' },
      { ...policyFinding('wire-policy'), findingId: 'wire-f3' },
    ],
  });
  await injectViolations(server.url, [
    violation('wire-thing-1', 'wire-profile', { violationId: 'wire-v1', violationStartTime: injectedAt - 120 }),
    violation('wire-thing-2', 'wire-profile', { violationId: 'wire-v2', violationStartTime: injectedAt - 60 }),
    violation('wire-thing-2', 'wire-profile', { violationId: 'wire-v0', violationStartTime: injectedAt - 600, active: false }),
  ]);
}

before(async () => {
  server = await startServer({ backend: 'sqlite' });
});
after(async () => {
  stopCliRunners();
  await server?.cleanup();
});

for (const py of PYTHONS) {
  describe(py.name, () => {
    let o: Record<string, any>;
    before(async () => {
      await scenario();
      o = await pythonScenario(py.python, ['-', server.url], SCRIPT);
    });

    test('describes, pages and filters findings; errors carry their codes', () => {
      assert.equal(o.signingName, py.signingName);
      const f = o.describe.finding;
      assert.equal(o.describe.ok, true, JSON.stringify(o.describe));
      assert.equal(f.findingId, 'wire-f1');
      assert.equal(f.taskId, 'wire-audit');
      assert.equal(f.severity, 'MEDIUM');
      assert.equal(f.nonCompliantResource.resourceType, 'DEVICE_CERTIFICATE');
      assert.equal(f.isSuppressed, false);
      assert.equal(f.findingTime.tzaware, true);
      assert.ok(Math.abs(f.findingTime.epoch - injectedAt) < 10);
      assert.deepEqual([o.missing.ok, o.missing.code, o.missing.status], [false, 'ResourceNotFoundException', 404]);
      assert.deepEqual(o.taskPages.map((p: any) => p.findings.map((x: any) => x.findingId)), [['wire-f1', 'wire-f2'], ['wire-f3']]);
      assert.deepEqual(o.suppressed.findings.map((x: any) => x.findingId), ['wire-f2']);
      assert.deepEqual(o.window.findings.map((x: any) => x.findingId), ['wire-f3']);
      assert.deepEqual([o.both.ok, o.both.code, o.both.status], [false, 'InvalidRequestException', 400]);
    });

    test('verifies a violation, pages active violations and events', () => {
      assert.equal(o.put.ok, true, JSON.stringify(o.put));
      assert.deepEqual([o.putMissing.code, o.putMissing.status], ['InvalidRequestException', 400]);
      assert.deepEqual(o.activePages.flatMap((p: any) => p.activeViolations.map((v: any) => v.violationId)), ['wire-v2', 'wire-v1']);
      const [v] = o.benign.activeViolations;
      assert.deepEqual([v.violationId, v.verificationState, v.verificationStateDescription], ['wire-v1', 'BENIGN_POSITIVE', 'maintenance window']);
      assert.ok(Math.abs(v.violationStartTime.epoch - (injectedAt - 120)) < 0.01);
      const events = o.events.flatMap((p: any) => p.violationEvents.map((e: any) => `${e.violationId}/${e.violationEventType}`));
      assert.deepEqual(events, ['wire-v0/alarm-cleared', 'wire-v2/in-alarm', 'wire-v0/in-alarm']);
    });
  });
}

for (const cli of CLIS) {
  describe(cli.name, () => {
    const { aws, ok } = awsIot(cli, () => server.url);
    before(scenario);

    test('describe-audit-finding and list-audit-findings (paged by the CLI)', async () => {
      const d = await ok(['describe-audit-finding', '--finding-id', 'wire-f3']);
      assert.deepEqual(d.finding.nonCompliantResource.resourceIdentifier, { policyVersionIdentifier: { policyName: 'wire-policy', policyVersionId: '1' } });
      assert.equal(d.finding.reasonForNonComplianceCode, 'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS');
      const l = await ok(['list-audit-findings', '--task-id', 'wire-audit', '--no-list-suppressed-findings', '--page-size', '1']);
      assert.deepEqual(l.findings.map((f: any) => f.findingId), ['wire-f1', 'wire-f3']);
      const r = await aws(['describe-audit-finding', '--finding-id', 'no-such-finding']);
      assert.equal(r.code, cli.errorExit);
      assert.match(r.stderr, /An error occurred \(ResourceNotFoundException\) when calling the DescribeAuditFinding operation: Audit finding no-such-finding does not exist/);
    });

    test('put-verification-state-on-violation, list-active-violations, list-violation-events', async () => {
      await ok(['put-verification-state-on-violation', '--violation-id', 'wire-v2', '--verification-state', 'TRUE_POSITIVE']);
      const a = await ok(['list-active-violations', '--thing-name', 'wire-thing-2']);
      assert.deepEqual(a.activeViolations.map((v: any) => [v.violationId, v.verificationState]), [['wire-v2', 'TRUE_POSITIVE']]);
      const start = new Date((injectedAt - 3600) * 1000).toISOString();
      const end = new Date((injectedAt + 3600) * 1000).toISOString();
      const e = await ok(['list-violation-events', '--start-time', start, '--end-time', end, '--verification-state', 'TRUE_POSITIVE']);
      assert.deepEqual(e.violationEvents.map((x: any) => `${x.violationId}/${x.violationEventType}`), ['wire-v2/in-alarm']);
      const r = await aws(['put-verification-state-on-violation', '--violation-id', 'nope', '--verification-state', 'UNKNOWN']);
      assert.equal(r.code, cli.errorExit);
      assert.match(r.stderr, /\(InvalidRequestException\) when calling the PutVerificationStateOnViolation operation: No violation with violationId 'nope'/);
    });
  });
}
