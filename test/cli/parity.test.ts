// Parity: the same command lines through Debian's AWS CLI v2 (/usr/bin/aws) and through `warden iot`,
// against one server; stdout and exit codes must be identical. Commands whose output holds generated ids
// or dates are compared after replacing only those (two creations never share them).
//
// Starting both command lines as processes for every command costs minutes, so the AWS CLI runs through
// its own script in one long-lived Python process (test/wire/cli-runner.ts, a new driver per command) and
// `warden iot` through `iotMain` (what bin/warden.js calls) in this process. The last describe block runs a
// sample as real processes (/usr/bin/aws and node bin/warden.js) to show that this changes nothing; the
// runner's own real-process check for both AWS CLIs is in test/wire/cli-runner.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { reset, ROLE, run, startServer, type Running } from '../harness.js';
import { certFinding, injectFindings } from '../operations/mitigation-helpers.js';
import { runCli, stopCliRunners, type CliResult } from '../wire/cli-runner.js';
import { clientEnv } from '../wire/env.js';
import { normalise, parityClis, wardenIot, wardenProcess } from './parity-helpers.js';

type Result = CliResult;
let server: Running;
let dir: string;
const { cli, same, createBoth } = parityClis(() => server.url);

const action = (params: string, extra: string[] = []) => (name: string) => ['create-mitigation-action', '--action-name', name, '--role-arn', ROLE, '--action-params', params, ...extra];
const describeAction = (name: string) => ['describe-mitigation-action', '--action-name', name];

/** Something unique to this run of a failing command's stderr. */
function errorLine(r: Result, code: string, operation: string) {
  assert.match(r.stderr, new RegExp(`An error occurred \\(${code}\\) when calling the ${operation} operation: `));
}

before(async () => {
  server = await startServer({ backend: 'sqlite' });
  await reset(server.url);
  dir = mkdtempSync(join(tmpdir(), 'warden-parity-'));
});

after(async () => {
  stopCliRunners();
  await server?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('inputs', () => {
  test('shorthand: nested structure', () => createBoth('sh-cert', action('updateDeviceCertificateParams={action=DEACTIVATE}'), describeAction));
  test('shorthand: list in [...] and a boolean inside {...}', () =>
    createBoth('sh-group', action('addThingsToThingGroupParams={thingGroupNames=[quarantine,"other-group"],overrideDynamicGroups=true}'), describeAction));
  test('shorthand: quoted string with a comma, list of structures (--tags)', () =>
    createBoth('sh-tags', action(`publishFindingToSnsParams={topicArn='arn:aws:sns:us-east-1:000000000000:topic'}`, ['--tags', 'Key=env,Value="dev, test"', 'Key=team,Value=iot']), (n) => [
      'list-tags-for-resource',
      '--resource-arn',
      `arn:aws:iot:us-east-1:000000000000:mitigationaction/${n}`,
    ]));
  test('JSON syntax', () =>
    createBoth('json', action('{"enableIoTLoggingParams":{"roleArnForLogging":"arn:aws:iam::000000000000:role/logging","logLevel":"WARN"}}'), describeAction));
  test('file:// values', () => {
    const f = join(dir, 'params.json');
    writeFileSync(f, JSON.stringify({ updateCACertificateParams: { action: 'DEACTIVATE' } }));
    return createBoth('file', action(`file://${f}`), describeAction);
  });
  test('--cli-input-json (inline and file://) with an option overriding it', async () => {
    const input = (name: string) => JSON.stringify({ actionName: name, roleArn: 'arn:aws:iam::000000000000:role/overridden', actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } } });
    await createBoth('cij', (n) => ['create-mitigation-action', '--cli-input-json', input(n), '--role-arn', ROLE], describeAction);
    const f = join(dir, 'input.json');
    await createBoth('cijf', (n) => (writeFileSync(f, input(n)), ['create-mitigation-action', '--cli-input-json', `file://${f}`]), describeAction);
  });
  test('--generate-cli-skeleton (no value and input)', async () => {
    await same(['create-mitigation-action', '--generate-cli-skeleton']);
    await same(['start-audit-mitigation-actions-task', '--generate-cli-skeleton', 'input']);
    await same(['get-percentiles', '--generate-cli-skeleton', 'input']); // a double prints as 0.0
  });
});

describe('errors', () => {
  test('service errors exit 254 with the AWS error line', async () => {
    const r = await same(['describe-mitigation-action', '--action-name', 'no-such-action'], 254);
    errorLine(r, 'ResourceNotFoundException', 'DescribeMitigationAction');
    await same(['create-mitigation-action', '--action-name', 'bad-enum', '--role-arn', ROLE, '--action-params', 'updateDeviceCertificateParams={action=EXPLODE}'], 254);
  });
  test('bad parameters exit 252', async () => {
    const missing = await same(['create-mitigation-action', '--action-name', 'x'], 252);
    assert.match(missing.stderr, /--role-arn/);
    const short = await same(['create-mitigation-action', '--action-name', 'short', '--role-arn', 'arn:x', '--action-params', '{}'], 252);
    assert.match(short.stderr, /roleArn/);
    assert.match((await same(['create-mitigation-action', '--action-name', 'x', '--role-arn', ROLE, '--action-params', 'updateDeviceCertificateParams={action=DEACTIVATE'], 252)).stderr, /--action-params/);
    assert.match((await same(['create-mitigation-action', '--action-name', 'x', '--role-arn', ROLE, '--action-params', '{"a":'], 252)).stderr, /--action-params/);
    await same(['list-mitigation-actions', '--no-such-option', 'x'], 252);
    await same(['list-mitigation-actions', '--query', 'a['], 252);
    await same(['list-mitigation-actions', '--no-paginate', '--max-items', '2'], 252);
  });
  test('a number that is not one exits 255 as in the AWS CLI', async () => {
    const r = await same(['list-mitigation-actions', '--max-results', 'abc'], 255);
    assert.match(r.stderr, /abc/);
  });
});

describe('outputs, query and pagination', () => {
  before(async () => {
    for (let i = 0; i < 7; i++) {
      const r = await cli('warden', ['create-mitigation-action', '--action-name', `page-${i}`, '--role-arn', ROLE, '--action-params', 'updateDeviceCertificateParams={action=DEACTIVATE}']);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  for (const output of ['json', 'text', 'table', 'yaml', 'yaml-stream']) {
    test(`--output ${output}`, async () => {
      await same(['describe-mitigation-action', '--action-name', 'sh-group-warden', '--output', output]);
      await same(['list-mitigation-actions', '--output', output, '--page-size', '3']);
      await same(['list-tags-for-resource', '--resource-arn', 'arn:aws:iot:us-east-1:000000000000:mitigationaction/sh-tags-warden', '--output', output]);
    });
  }
  test('--query', async () => {
    await same(['list-mitigation-actions', '--query', 'actionIdentifiers[?starts_with(actionName, `page`)].actionName']);
    await same(['list-mitigation-actions', '--query', 'length(actionIdentifiers)', '--output', 'text']);
    await same(['describe-mitigation-action', '--action-name', 'page-1', '--query', '{n: actionName, p: actionParams}', '--output', 'table']);
    await same(['list-mitigation-actions', '--query', 'actionIdentifiers[].actionName', '--output', 'text', '--page-size', '2']);
  });
  test('--max-items, --starting-token, --page-size, --no-paginate', async () => {
    const first = await same(['list-mitigation-actions', '--max-items', '3', '--page-size', '2']);
    const token = JSON.parse(first.stdout).NextToken as string;
    assert.ok(token);
    await same(['list-mitigation-actions', '--max-items', '3', '--page-size', '2', '--starting-token', token]);
    await same(['list-mitigation-actions', '--max-items', '4', '--page-size', '2', '--output', 'text']);
    await same(['list-mitigation-actions', '--max-items', '2', '--page-size', '2', '--output', 'yaml']);
    await same(['list-mitigation-actions', '--no-paginate', '--max-results', '2']);
    await same(['list-mitigation-actions', '--max-results', '3', '--output', 'text']);
  });
});

describe('beyond mitigation actions: things, groups, policies, findings and mitigation tasks', () => {
  let findingIds: string[] = [];
  let auditTaskId = '';
  before(async () => {
    ({ findingIds, taskId: auditTaskId } = await injectFindings(server.url, { findings: ['a', 'b', 'c'].map((c) => certFinding(c.repeat(64))) }));
  });

  test('things: shorthand attribute payload, describe, list with every output', async () => {
    await createBoth('thing', (n) => ['create-thing', '--thing-name', n, '--attribute-payload', 'attributes={color=red,size=2},merge=false'], (n) => ['describe-thing', '--thing-name', n]);
    for (const output of ['json', 'text', 'table', 'yaml']) {
      await same(['list-things', '--attribute-name', 'color', '--attribute-value', 'red', '--output', output, '--query', 'things[].[thingName, attributes.size]']);
    }
    await same(['describe-thing', '--thing-name', 'no-such-thing'], 254);
  });

  test('thing groups and membership', async () => {
    assert.equal((await cli('warden', ['create-thing-group', '--thing-group-name', 'parity-group', '--thing-group-properties', 'thingGroupDescription="a group, with a comma"'])).code, 0);
    assert.equal((await cli('aws', ['add-thing-to-thing-group', '--thing-group-name', 'parity-group', '--thing-name', 'thing-aws'])).code, 0);
    assert.equal((await cli('warden', ['add-thing-to-thing-group', '--thing-group-name', 'parity-group', '--thing-name', 'thing-warden'])).code, 0);
    for (const output of ['json', 'text', 'table']) await same(['list-things-in-thing-group', '--thing-group-name', 'parity-group', '--output', output]);
    await same(['describe-thing-group', '--thing-group-name', 'parity-group', '--query', 'thingGroupProperties']);
    await same(['list-thing-groups-for-thing', '--thing-name', 'thing-aws', '--output', 'yaml']);
  });

  test('policies: file:// documents, versions, get', async () => {
    const f = join(dir, 'policy.json');
    writeFileSync(f, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:us-east-1:000000000000:client/${iot:Connection.Thing.ThingName}' }] }));
    await createBoth('policy', (n) => ['create-policy', '--policy-name', n, '--policy-document', `file://${f}`], (n) => ['get-policy', '--policy-name', n, '--query', '[policyName, defaultVersionId, policyDocument]']);
    assert.equal((await cli('aws', ['create-policy-version', '--policy-name', 'policy-aws', '--policy-document', `file://${f}`, '--set-as-default'])).code, 0);
    for (const output of ['json', 'text', 'table']) await same(['list-policy-versions', '--policy-name', 'policy-aws', '--output', output, '--query', 'policyVersions[].[versionId, isDefaultVersion]']);
    await same(['get-policy-version', '--policy-name', 'policy-aws', '--policy-version-id', '9'], 254);
  });

  test('findings and an audit mitigation task: shorthand targets and mappings, describe in every output', async () => {
    for (const output of ['json', 'text', 'table', 'yaml']) {
      await same(['list-audit-findings', '--task-id', auditTaskId, '--check-name', 'DEVICE_CERTIFICATE_EXPIRING_CHECK', '--output', output, '--query', 'findings[].[checkName, severity, nonCompliantResource.resourceIdentifier.deviceCertificateId]']);
    }
    await same(['describe-audit-finding', '--finding-id', findingIds[0], '--query', 'finding.{c: checkName, r: reasonForNonComplianceCode, s: isSuppressed}']);
    assert.equal((await cli('warden', ['create-mitigation-action', '--action-name', 'parity-sns', '--role-arn', ROLE, '--action-params', `publishFindingToSnsParams={topicArn=arn:aws:sns:us-east-1:000000000000:t}`])).code, 0);
    /** The same task through each CLI, named (and its request token) after it. */
    const startTask = (which: 'aws' | 'warden') =>
      cli(which, [
        'start-audit-mitigation-actions-task',
        '--task-id',
        `parity-task-${which}`,
        '--target',
        `findingIds=${findingIds[0]},${findingIds[1]}`,
        '--audit-check-to-actions-mapping',
        'DEVICE_CERTIFICATE_EXPIRING_CHECK=parity-sns',
        '--client-request-token',
        `tok-${which}`,
      ]);
    const started = await startTask('aws');
    assert.equal(started.code, 0, started.stderr);
    const mine = await startTask('warden');
    assert.equal(normalise(mine.stdout, 'parity-task-warden'), normalise(started.stdout, 'parity-task-aws'));
    const w = await wardenIot(['--endpoint-url', server.url, 'wait', 'audit-mitigation-task', 'parity-task-aws'], { WARDEN_WAIT_INTERVAL_MS: '50' }, 30_000);
    assert.equal(w.code, 0, w.stdout + w.stderr);
    assert.match(w.stdout, /task COMPLETED/);
    for (const output of ['json', 'text', 'table', 'yaml']) {
      await same(['describe-audit-mitigation-actions-task', '--task-id', 'parity-task-aws', '--output', output, '--query', '{s: taskStatus, st: taskStatistics, t: target}']);
      await same(['list-audit-mitigation-actions-executions', '--task-id', 'parity-task-aws', '--finding-id', findingIds[0], '--output', output, '--query', 'actionsExecutions[].[actionName, status]']);
    }
    await same(['describe-audit-mitigation-actions-task', '--task-id', 'parity-task-aws']);
    await same(['describe-audit-mitigation-actions-task', '--task-id', 'no-such-task'], 254);
  });
});

describe('audits: configuration, on-demand tasks, scheduled audits and suppressions', () => {
  test('the same commands, outputs and errors through both command lines', async () => {
    const setup = await cli('warden', [
      'update-account-audit-configuration',
      '--role-arn',
      ROLE,
      '--audit-check-configurations',
      '{"LOGGING_DISABLED_CHECK":{"enabled":true},"DEVICE_CERTIFICATE_AGE_CHECK":{"enabled":true,"configuration":{"CERT_AGE_THRESHOLD_IN_DAYS":"90"}}}',
    ]);
    assert.equal(setup.code, 0, setup.stderr);
    for (const output of ['json', 'text', 'table', 'yaml']) {
      // aws 2.9.19's model predates the checks' `configuration` member, so only `enabled` is compared.
      await same(['describe-account-audit-configuration', '--output', output, '--query', 'auditCheckConfigurations.[LOGGING_DISABLED_CHECK.enabled, DEVICE_CERTIFICATE_AGE_CHECK.enabled, CA_CERTIFICATE_EXPIRING_CHECK.enabled]']);
    }
    const started = await cli('aws', ['start-on-demand-audit-task', '--target-check-names', 'LOGGING_DISABLED_CHECK', 'DEVICE_CERTIFICATE_AGE_CHECK']);
    assert.equal(started.code, 0, started.stderr);
    const taskId = JSON.parse(started.stdout).taskId as string;
    const w = await wardenIot(['--endpoint-url', server.url, 'wait', 'audit-task', taskId], { WARDEN_WAIT_INTERVAL_MS: '50' }, 30_000);
    assert.equal(w.code, 0, w.stdout + w.stderr);
    for (const output of ['json', 'text', 'table', 'yaml']) {
      await same(['describe-audit-task', '--task-id', taskId, '--output', output, '--query', '{s: taskStatus, t: taskType, st: taskStatistics, d: auditDetails}']);
      await same(['list-audit-findings', '--task-id', taskId, '--output', output, '--query', 'findings[].[checkName, severity, reasonForNonComplianceCode, nonCompliantResource.resourceType]']);
    }
    await same(['start-on-demand-audit-task', '--target-check-names', 'CA_CERTIFICATE_EXPIRING_CHECK'], 254);
    await same(['describe-audit-task', '--task-id', 'f'.repeat(32)], 254);

    assert.equal((await cli('warden', ['create-scheduled-audit', '--scheduled-audit-name', 'weekly-parity', '--frequency', 'WEEKLY', '--day-of-week', 'MON', '--target-check-names', 'LOGGING_DISABLED_CHECK'])).code, 0);
    for (const output of ['json', 'text', 'table']) {
      await same(['describe-scheduled-audit', '--scheduled-audit-name', 'weekly-parity', '--output', output]);
      await same(['list-scheduled-audits', '--output', output]);
    }
    await same(['create-scheduled-audit', '--scheduled-audit-name', 'bad', '--frequency', 'WEEKLY', '--target-check-names', 'LOGGING_DISABLED_CHECK'], 254);

    const suppression = await cli('aws', [
      'create-audit-suppression',
      '--check-name',
      'DEVICE_CERTIFICATE_AGE_CHECK',
      '--resource-identifier',
      `deviceCertificateId=${'d'.repeat(64)}`,
      '--suppress-indefinitely',
      '--description',
      'lab devices, replaced next quarter',
    ]);
    assert.equal(suppression.code, 0, suppression.stderr);
    for (const output of ['json', 'text', 'table', 'yaml']) await same(['list-audit-suppressions', '--output', output]);
    await same(['describe-audit-suppression', '--check-name', 'DEVICE_CERTIFICATE_AGE_CHECK', '--resource-identifier', `deviceCertificateId=${'d'.repeat(64)}`]);
    await same(['describe-audit-suppression', '--check-name', 'DEVICE_CERTIFICATE_AGE_CHECK', '--resource-identifier', `deviceCertificateId=${'e'.repeat(64)}`], 254);
  });
});

describe('as real processes', () => {
  test('a sample through /usr/bin/aws and node bin/warden.js gives what the runner and iotMain give', async () => {
    const sample = [
      ['describe-mitigation-action', '--action-name', 'sh-group-warden'],
      ['list-mitigation-actions', '--output', 'table', '--page-size', '3', '--query', 'actionIdentifiers[?starts_with(actionName, `page`)]'],
      ['describe-mitigation-action', '--action-name', 'no-such-action'],
      ['create-mitigation-action', '--action-name', 'x', '--role-arn', ROLE, '--action-params', '{"a":'],
    ];
    const awsArgs = (args: string[]) => ['--endpoint-url', server.url, 'iot', ...args];
    const wardenArgs = (args: string[]) => ['--endpoint-url', server.url, ...args];
    const jobs = sample.flatMap((args) => [
      () => run('/usr/bin/aws', awsArgs(args), { env: clientEnv(), timeoutMs: 60_000 }),
      () => wardenProcess(wardenArgs(args)),
    ]);
    // Both ways at once: the real processes 3 at a time, the shortcuts meanwhile (nothing here changes state).
    const real: Result[] = new Array(jobs.length);
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const i = next++;
        real[i] = await jobs[i]();
      }
    };
    const [, aws, warden] = await Promise.all([
      Promise.all([0, 1, 2].map(worker)),
      Promise.all(sample.map((args) => runCli('/usr/bin/aws', awsArgs(args), { env: clientEnv(), timeoutMs: 60_000 }))),
      Promise.all(sample.map((args) => wardenIot(wardenArgs(args)))),
    ]);
    for (const [i, args] of sample.entries()) {
      const [realAws, realWarden] = [real[2 * i], real[2 * i + 1]];
      assert.deepEqual(aws[i], realAws, `the runner and /usr/bin/aws: ${args.join(' ')}`);
      assert.deepEqual(warden[i], realWarden, `iotMain and bin/warden.js: ${args.join(' ')}`);
      assert.equal(realWarden.code, realAws.code, `exit codes: ${args.join(' ')}`);
      assert.equal(realWarden.stdout, realAws.stdout, `stdout: ${args.join(' ')}`);
    }
    assert.deepEqual(real.filter((_, i) => i % 2 === 0).map((r) => r.code), [0, 0, 254, 252]);
    assert.match(real[0].stdout, /"actionName": "sh-group-warden"/);
    assert.match(real[2].stdout, /page-0/);
  });
});
