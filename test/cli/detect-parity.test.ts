// Parity for Detect: security profiles (static, statistical and ML behaviors, a TOPIC_FILTER dimension
// through metricDimension, custom metrics of every type), their targets, dimensions, custom metrics,
// ML training summaries, active violations and violation events, retained metric values. The same
// command lines through Debian's AWS CLI v2 (/usr/bin/aws) and `warden iot`, against one server, as
// test/cli/parity.test.ts does it: stdout and exit codes identical (generated ids and dates replaced
// where two creations differ), and for service errors the same error line on stderr.
//
// The server runs with --no-detect-throttle and --detect-ml-min-datapoints 3, so that three device
// reports move the ML behaviors' datapointsCollectionPercentage through 0, 33.33, 66.67 and 100;
// behavior values 1e-05 and 1.5e-07 (and an injected violation's 2e-05) are floats that Python prints
// in exponent notation where JavaScript would not.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { raw, reset, startServer, type Running } from '../harness.js';
import { injectViolations } from '../operations/mitigation-helpers.js';
import { stopCliRunners } from '../wire/cli-runner.js';
import { parityClis } from './parity-helpers.js';

let server: Running;
let dir: string;
const { cli, same, bothOn, createBoth } = parityClis(() => server.url);

const ACCOUNT = '000000000000';
const arn = (kind: string, name: string) => `arn:aws:iot:us-east-1:${ACCOUNT}:${kind}/${name}`;
const PARENT = arn('thinggroup', 'detect-parent');
const CHILD = arn('thinggroup', 'detect-child');
const EVENTS = ['--start-time', '2020-01-01T00:00:00Z', '--end-time', '2100-01-01T00:00:00Z'];

/** A service error through both: identical stdout, exit code 254 and stderr, which carries AWS's error line. */
async function sameError(args: string[], code: string, operation: string): Promise<void> {
  const [a, w] = await Promise.all([cli('aws', args), cli('warden', args)]);
  assert.equal(a.code, 254, `aws: ${a.stderr}`);
  assert.equal(w.code, a.code, `warden: ${w.stderr}`);
  assert.equal(w.stdout, a.stdout);
  assert.match(a.stderr, new RegExp(`^\\nAn error occurred \\(${code}\\) when calling the ${operation} operation: .+\\n$`));
  assert.equal(w.stderr, a.stderr, `the error lines differ for ${args.join(' ')}`);
}

/** `cli`, requiring success. */
async function ok(which: 'aws' | 'warden', args: string[]) {
  const r = await cli(which, args);
  assert.equal(r.code, 0, `${which} ${args.join(' ')}: ${r.stderr}`);
  return r;
}

/** A device metrics report (long names) with every metric the profiles' behaviors read. */
const report = (id: number, bytesOut: number) =>
  JSON.stringify({
    header: { report_id: id, version: '1.0' },
    metrics: {
      network_stats: { bytes_in: 100, bytes_out: bytesOut, packets_in: 2, packets_out: 7 },
      listening_tcp_ports: { ports: [{ port: 443 }, { port: 8080 }], total: 2 },
    },
    custom_metrics: {
      'cm-num-aws': [{ number: 0.5 }],
      'cm-nl-aws': [{ number_list: [3, 4.25] }],
      'cm-sl-aws': [{ string_list: ['bad'] }],
      'cm-ip-aws': [{ ip_list: ['192.168.1.1'] }],
    },
  });

async function sendReport(thing: string, id: number, bytesOut: number): Promise<void> {
  const r = await raw(server.url, { method: 'POST', path: `/_warden/things/${thing}/defender/metrics/json`, body: report(id, bytesOut), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'ACCEPTED', r.text);
}

/** Every kind of behavior; the dimension and custom metrics are the ones the AWS CLI made. */
const BEHAVIORS = [
  { name: 'static-out', metric: 'aws:all-bytes-out', criteria: { comparisonOperator: 'less-than-equals', value: { count: 10000 }, consecutiveDatapointsToAlarm: 1, consecutiveDatapointsToClear: 1 } },
  { name: 'stat-out', metric: 'aws:all-bytes-out', criteria: { comparisonOperator: 'less-than', statisticalThreshold: { statistic: 'p90' }, durationSeconds: 300 } },
  { name: 'ml-packets', metric: 'aws:all-packets-out', criteria: { mlDetectionConfig: { confidenceLevel: 'HIGH' } }, suppressAlerts: true },
  { name: 'auth-failures', metric: 'aws:num-authorization-failures', metricDimension: { dimensionName: 'topics-aws', operator: 'IN' }, criteria: { comparisonOperator: 'less-than', value: { count: 5 }, durationSeconds: 300 } },
  { name: 'cm-number', metric: 'cm-num-aws', criteria: { comparisonOperator: 'less-than', value: { number: 0.00001 } } },
  { name: 'cm-numbers', metric: 'cm-nl-aws', criteria: { comparisonOperator: 'in-set', value: { numbers: [1.5, 2, 1.5e-7] } } },
  { name: 'cm-strings', metric: 'cm-sl-aws', criteria: { comparisonOperator: 'not-in-set', value: { strings: ['bad', 'worse'] } } },
  { name: 'cm-ips', metric: 'cm-ip-aws', criteria: { comparisonOperator: 'in-cidr-set', value: { cidrs: ['10.0.0.0/8'] } } },
  { name: 'ports', metric: 'aws:listening-tcp-ports', criteria: { comparisonOperator: 'in-port-set', value: { ports: [22, 443] } } },
];
/** Refused by ValidateSecurityProfileBehaviors: an operator, a value kind and a duration a list metric does not take. */
const REFUSED = 'name=bad-ports,metric=aws:listening-tcp-ports,criteria={comparisonOperator=less-than,value={count=5},durationSeconds=300}';

before(async () => {
  server = await startServer({ backend: 'sqlite', args: ['--no-detect-throttle', '--detect-ml-min-datapoints', '3'] });
  await reset(server.url);
  dir = mkdtempSync(join(tmpdir(), 'warden-detect-parity-'));
  writeFileSync(join(dir, 'behaviors.json'), JSON.stringify(BEHAVIORS));
});

after(async () => {
  stopCliRunners();
  await server?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Detect: warden iot and aws iot print the same', () => {
  test('dimensions: create (no --client-request-token: the CLI makes one), describe, list, update, errors', async () => {
    const describeDim = (n: string) => ['describe-dimension', '--name', n];
    await createBoth('topics', (n) => ['create-dimension', '--name', n, '--type', 'TOPIC_FILTER', '--string-values', 'device/+/auth', 'device/#', '--tags', 'Key=team,Value=iot'], describeDim);
    await createBoth('dim-b', (n) => ['create-dimension', '--name', n, '--type', 'TOPIC_FILTER', '--string-values', 'b/#', '--client-request-token', `tok-${n}`], describeDim);
    await same(['list-tags-for-resource', '--resource-arn', arn('dimension', 'topics-aws')]);
    for (const output of ['json', 'text', 'table']) await same(['list-dimensions', '--output', output]);
    await same(['list-dimensions', '--max-items', '3', '--page-size', '1']);
    await same(['list-dimensions', '--no-paginate', '--max-results', '2', '--output', 'text']);
    await bothOn('dim-b', (n) => ['update-dimension', '--name', n, '--string-values', 'b/+/x', 'b/y']);
    await same(describeDim('dim-b-aws'));

    await sameError(describeDim('no-such-dimension'), 'ResourceNotFoundException', 'DescribeDimension');
    await sameError(['update-dimension', '--name', 'no-such-dimension', '--string-values', 'a'], 'ResourceNotFoundException', 'UpdateDimension');
    await sameError(['create-dimension', '--name', 'bad-type', '--type', 'WRONG', '--string-values', 'a'], 'InvalidRequestException', 'CreateDimension');
    await same(['create-dimension', '--name', 'no-values', '--type', 'TOPIC_FILTER'], 252);
  });

  test('custom metrics of each type: create, describe, list, update, errors', async () => {
    const describeMetric = (n: string) => ['describe-custom-metric', '--metric-name', n];
    await createBoth('cm-num', (n) => ['create-custom-metric', '--metric-name', n, '--metric-type', 'number', '--display-name', 'A number, with a comma', '--tags', 'Key=k,Value=v'], describeMetric);
    for (const [base, type] of [['cm-nl', 'number-list'], ['cm-sl', 'string-list'], ['cm-ip', 'ip-address-list']]) {
      await createBoth(base, (n) => ['create-custom-metric', '--metric-name', n, '--metric-type', type], describeMetric);
    }
    for (const output of ['json', 'text', 'table', 'yaml']) await same(['list-custom-metrics', '--output', output]);
    await same(['list-custom-metrics', '--max-items', '5', '--page-size', '2', '--output', 'text']);
    await bothOn('cm-sl', (n) => ['update-custom-metric', '--metric-name', n, '--display-name', 'Strings']);
    await same(describeMetric('cm-sl-warden'));

    await sameError(describeMetric('no-such-metric'), 'ResourceNotFoundException', 'DescribeCustomMetric');
    await sameError(['update-custom-metric', '--metric-name', 'no-such-metric', '--display-name', 'x'], 'ResourceNotFoundException', 'UpdateCustomMetric');
    await sameError(['create-custom-metric', '--metric-name', 'bad-type', '--metric-type', 'wrong'], 'InvalidRequestException', 'CreateCustomMetric');
    await same(['create-custom-metric', '--metric-name', 'no-type'], 252);
  });

  test('validate-security-profile-behaviors: valid behaviors of every kind, refused ones', async () => {
    const valid = await same(['validate-security-profile-behaviors', '--behaviors', `file://${join(dir, 'behaviors.json')}`]);
    assert.deepEqual(JSON.parse(valid.stdout), { valid: true, validationErrors: [] });
    for (const output of ['json', 'text', 'table']) {
      const refused = await same(['validate-security-profile-behaviors', '--behaviors', REFUSED, '--output', output]);
      assert.match(refused.stdout, /bad-ports is malformed/);
    }
  });

  test('security profiles: create (file:// and shorthand), describe in every output, list with filters, errors', async () => {
    const describeProfile = (n: string) => ['describe-security-profile', '--security-profile-name', n];
    await createBoth(
      'sp',
      (n) => [
        'create-security-profile',
        '--security-profile-name', n,
        '--security-profile-description', 'every kind, with a comma',
        '--behaviors', `file://${join(dir, 'behaviors.json')}`,
        '--alert-targets', `SNS={alertTargetArn=arn:aws:sns:us-east-1:${ACCOUNT}:alerts,roleArn=arn:aws:iam::${ACCOUNT}:role/alerts}`,
        '--additional-metrics-to-retain-v2', 'metric=aws:num-connection-attempts', 'metric=aws:num-authorization-failures,metricDimension={dimensionName=topics-aws,operator=NOT_IN}',
        '--tags', 'Key=env,Value=dev',
      ],
      describeProfile,
    );
    await createBoth(
      'sp-short',
      (n) => [
        'create-security-profile',
        '--security-profile-name', n,
        '--behaviors',
        'name=ml-bytes,metric=aws:all-bytes-out,criteria={mlDetectionConfig={confidenceLevel=LOW}}',
        'name=stat-in,metric=aws:all-bytes-in,criteria={comparisonOperator=greater-than,statisticalThreshold={statistic=p99.9},durationSeconds=300,consecutiveDatapointsToAlarm=2}',
        'name=topic-auth,metric=aws:num-authorization-failures,metricDimension={dimensionName=topics-aws},criteria={comparisonOperator=less-than-equals,value={count=0},durationSeconds=300}',
      ],
      describeProfile,
    );
    for (const output of ['json', 'text', 'table', 'yaml']) {
      const r = await same([...describeProfile('sp-aws'), '--output', output]);
      assert.match(r.stdout, /1e-05/, 'a float below 1e-4 prints in exponent notation, as Python does');
      assert.match(r.stdout, /1\.5e-07/);
    }
    await same([...describeProfile('sp-warden'), '--query', 'behaviors[?criteria.value.numbers].criteria.value.numbers[]', '--output', 'text']);
    await same(['list-tags-for-resource', '--resource-arn', arn('securityprofile', 'sp-warden')]);

    for (const output of ['json', 'text', 'table']) await same(['list-security-profiles', '--output', output]);
    const byDimension = await same(['list-security-profiles', '--dimension-name', 'topics-aws']);
    assert.deepEqual(JSON.parse(byDimension.stdout).securityProfileIdentifiers.map((p: { name: string }) => p.name), ['sp-aws', 'sp-short-aws', 'sp-short-warden', 'sp-warden']);
    const byMetric = await same(['list-security-profiles', '--metric-name', 'cm-nl-aws', '--output', 'text']);
    assert.match(byMetric.stdout, /sp-aws/);
    assert.doesNotMatch(byMetric.stdout, /sp-short/);
    await same(['list-security-profiles', '--metric-name', 'cm-nl-warden']);
    await same(['list-security-profiles', '--max-items', '3', '--page-size', '2']);

    await sameError(describeProfile('no-such-profile'), 'ResourceNotFoundException', 'DescribeSecurityProfile');
    await sameError(['create-security-profile', '--security-profile-name', 'refused', '--behaviors', REFUSED], 'InvalidRequestException', 'CreateSecurityProfile');
    await sameError(['create-security-profile', '--security-profile-name', 'sp-aws'], 'ResourceAlreadyExistsException', 'CreateSecurityProfile');
    await sameError(['list-security-profiles', '--dimension-name', 'topics-aws', '--metric-name', 'cm-nl-aws'], 'InvalidRequestException', 'ListSecurityProfiles');
    await same(['create-security-profile', '--behaviors', 'name=x,metric=aws:all-bytes-out'], 252);
  });

  test('update-security-profile and its version checks; deletes refused while in use', async () => {
    await bothOn('sp-short', (n) => ['update-security-profile', '--security-profile-name', n, '--expected-version', '1', '--security-profile-description', 'updated', '--behaviors', 'name=ml-bytes,metric=aws:all-bytes-out,criteria={mlDetectionConfig={confidenceLevel=MEDIUM}}', 'name=ports,metric=aws:listening-tcp-ports,criteria={comparisonOperator=not-in-port-set,value={ports=[23]}}']);
    await bothOn('sp-short', (n) => ['update-security-profile', '--security-profile-name', n, '--delete-additional-metrics-to-retain', '--delete-alert-targets', '--query', '[version, behaviors[].name]', '--output', 'text']);
    await same(['describe-security-profile', '--security-profile-name', 'sp-short-aws', '--output', 'table']);
    await sameError(['update-security-profile', '--security-profile-name', 'sp-short-aws', '--expected-version', '1', '--security-profile-description', 'stale'], 'VersionConflictException', 'UpdateSecurityProfile');
    await sameError(['update-security-profile', '--security-profile-name', 'no-such-profile', '--security-profile-description', 'x'], 'ResourceNotFoundException', 'UpdateSecurityProfile');
    await sameError(['update-security-profile', '--security-profile-name', 'sp-short-aws', '--behaviors', REFUSED], 'InvalidRequestException', 'UpdateSecurityProfile');
    await sameError(['delete-security-profile', '--security-profile-name', 'sp-short-aws', '--expected-version', '1'], 'VersionConflictException', 'DeleteSecurityProfile');
    await sameError(['delete-dimension', '--name', 'topics-aws'], 'InvalidRequestException', 'DeleteDimension');
    await sameError(['delete-custom-metric', '--metric-name', 'cm-num-aws'], 'InvalidRequestException', 'DeleteCustomMetric');
    // Deleting what does not exist succeeds and prints nothing.
    for (const args of [['delete-security-profile', '--security-profile-name', 'no-such-profile'], ['delete-dimension', '--name', 'no-such-dimension'], ['delete-custom-metric', '--metric-name', 'no-such-metric']]) {
      assert.equal((await same(args)).stdout, '');
    }
  });

  test('attach, list targets and profiles for a target (--recursive), detach, errors', async () => {
    await ok('aws', ['create-thing-group', '--thing-group-name', 'detect-parent']);
    await ok('aws', ['create-thing-group', '--thing-group-name', 'detect-child', '--parent-group-name', 'detect-parent']);
    await ok('aws', ['create-thing', '--thing-name', 'detect-dev']);
    await ok('aws', ['add-thing-to-thing-group', '--thing-group-name', 'detect-child', '--thing-name', 'detect-dev']);
    await bothOn('sp', (n) => ['attach-security-profile', '--security-profile-name', n, '--security-profile-target-arn', PARENT]);
    await bothOn('sp-short', (n) => ['attach-security-profile', '--security-profile-name', n, '--security-profile-target-arn', arn('all', 'things')]);
    await bothOn('sp-short', (n) => ['attach-security-profile', '--security-profile-name', n, '--security-profile-target-arn', CHILD]);
    for (const output of ['json', 'text', 'table']) await same(['list-targets-for-security-profile', '--security-profile-name', 'sp-short-warden', '--output', output]);
    for (const output of ['json', 'text', 'table']) {
      const r = await same(['list-security-profiles-for-target', '--security-profile-target-arn', CHILD, '--recursive', '--output', output]);
      assert.match(r.stdout, /sp-aws/, 'the parent group\'s profile applies to the child group');
    }
    const direct = await same(['list-security-profiles-for-target', '--security-profile-target-arn', CHILD, '--no-recursive']);
    assert.doesNotMatch(direct.stdout, /"sp-aws"/);
    await same(['list-security-profiles-for-target', '--security-profile-target-arn', CHILD, '--recursive', '--max-items', '1']);

    await bothOn('sp-short', (n) => ['detach-security-profile', '--security-profile-name', n, '--security-profile-target-arn', CHILD]);
    await same(['list-targets-for-security-profile', '--security-profile-name', 'sp-short-aws']);
    await sameError(['detach-security-profile', '--security-profile-name', 'sp-short-aws', '--security-profile-target-arn', CHILD], 'ResourceNotFoundException', 'DetachSecurityProfile');
    await sameError(['attach-security-profile', '--security-profile-name', 'no-such-profile', '--security-profile-target-arn', PARENT], 'ResourceNotFoundException', 'AttachSecurityProfile');
    await sameError(['list-targets-for-security-profile', '--security-profile-name', 'no-such-profile'], 'ResourceNotFoundException', 'ListTargetsForSecurityProfile');
    await same(['attach-security-profile', '--security-profile-name', 'sp-aws'], 252);
  });

  test('get-behavior-model-training-summaries: floats as the AWS CLI prints them, from 0 to 100 %', async () => {
    const summaries = ['get-behavior-model-training-summaries'];
    const percentages = async () => {
      const r = await same(summaries);
      return JSON.parse(r.stdout).summaries.map((s: { behaviorName: string; datapointsCollectionPercentage: number }) => `${s.behaviorName}:${s.datapointsCollectionPercentage}`);
    };
    assert.deepEqual(await percentages(), ['ml-packets:0', 'ml-bytes:0', 'ml-bytes:0', 'ml-packets:0']);
    for (const output of ['text', 'table']) await same([...summaries, '--output', output]);
    await sameError([...summaries, '--security-profile-name', 'no-such-profile'], 'ResourceNotFoundException', 'GetBehaviorModelTrainingSummaries');

    await sendReport('detect-dev', 1, 50_000);
    const first = await same(summaries);
    assert.match(first.stdout, /"datapointsCollectionPercentage": 33\.33\n/);
    for (const output of ['text', 'table', 'yaml']) assert.match((await same([...summaries, '--output', output])).stdout, /33\.33/);
    await sendReport('detect-dev', 2, 60_000);
    assert.match((await same([...summaries, '--security-profile-name', 'sp-aws'])).stdout, /66\.67/);
    await sendReport('detect-dev', 3, 500);
    await same([...summaries, '--security-profile-name', 'sp-warden', '--output', 'text']);
    await same([...summaries, '--max-items', '2', '--query', 'summaries[].[securityProfileName, behaviorName, modelStatus, datapointsCollectionPercentage]', '--output', 'table']);
    assert.deepEqual((await percentages()).sort(), ['ml-bytes:100', 'ml-bytes:100', 'ml-packets:100', 'ml-packets:100']);
  });

  test('list-active-violations and list-violation-events: from device reports and injected, with every filter', async () => {
    // The reports above opened violations of the static, custom-metric and port behaviors of sp-aws and
    // sp-warden (the bytes cleared again with the third report); these add a suppressed one and verified ones.
    const start = Math.floor(Date.now() / 1000) - 60;
    const behavior = { name: 'cm-number', metric: 'cm-num-aws', criteria: { comparisonOperator: 'less-than', value: { number: 0.00001 } } };
    await injectViolations(server.url, [
      { thingName: 'detect-dev', securityProfileName: 'sp-aws', behavior: { ...behavior, name: 'injected' }, lastViolationValue: { number: 0.00002 }, violationStartTime: start, verificationState: 'TRUE_POSITIVE' },
      { thingName: 'other-dev', securityProfileName: 'sp-aws', behavior: { ...behavior, name: 'quiet' }, lastViolationValue: { number: 7.5 }, violationStartTime: start, suppressed: true },
      { thingName: 'other-dev', securityProfileName: 'sp-warden', behavior: BEHAVIORS[0], lastViolationValue: { count: 99_999 }, violationStartTime: start, active: false, verificationState: 'BENIGN_POSITIVE' },
    ]);
    const active = await same(['list-active-violations']);
    const names = JSON.parse(active.stdout).activeViolations.map((v: { securityProfileName: string; behavior: { name: string } }) => `${v.securityProfileName}/${v.behavior.name}`).sort();
    for (const p of ['sp-aws', 'sp-warden']) for (const b of ['cm-number', 'cm-numbers', 'cm-strings', 'cm-ips', 'ports']) assert.ok(names.includes(`${p}/${b}`), `${p}/${b} in ${names}`);
    assert.ok(names.includes('sp-aws/injected'));
    assert.ok(!names.includes('sp-aws/quiet'), 'a suppressed alert is left out unless asked for');
    assert.ok(!names.some((n: string) => n.endsWith('/static-out')), 'the bytes behavior cleared with the third report');
    assert.match(active.stdout, /"number": 2e-05\n/);
    for (const output of ['text', 'table']) await same(['list-active-violations', '--security-profile-name', 'sp-aws', '--output', output]);
    await same(['list-active-violations', '--thing-name', 'other-dev', '--list-suppressed-alerts']);
    await same(['list-active-violations', '--behavior-criteria-type', 'STATIC', '--output', 'text', '--query', 'activeViolations[].[securityProfileName, behavior.name, lastViolationValue.number]']);
    await same(['list-active-violations', '--behavior-criteria-type', 'MACHINE_LEARNING']);
    await same(['list-active-violations', '--verification-state', 'TRUE_POSITIVE', '--output', 'table']);
    await same(['list-active-violations', '--max-items', '3', '--page-size', '2', '--query', 'activeViolations[].behavior.name']);

    const events = await same(['list-violation-events', ...EVENTS]);
    const kinds = JSON.parse(events.stdout).violationEvents.map((e: { securityProfileName: string; behavior: { name: string }; violationEventType: string }) => `${e.securityProfileName}/${e.behavior.name}/${e.violationEventType}`);
    assert.ok(kinds.includes('sp-aws/static-out/alarm-cleared') && kinds.includes('sp-aws/static-out/in-alarm'), kinds.join(' '));
    for (const output of ['text', 'table']) await same(['list-violation-events', ...EVENTS, '--thing-name', 'other-dev', '--list-suppressed-alerts', '--output', output]);
    await same(['list-violation-events', ...EVENTS, '--security-profile-name', 'sp-warden', '--behavior-criteria-type', 'STATIC', '--output', 'text']);
    await same(['list-violation-events', ...EVENTS, '--verification-state', 'BENIGN_POSITIVE']);
    await same(['list-violation-events', ...EVENTS, '--page-size', '2', '--max-items', '3', '--output', 'text', '--query', 'violationEvents[].[behavior.name, violationEventType, metricValue.number]']);
    await same(['list-violation-events', '--start-time', '2020-01-01'], 252);
  });

  test('--generate-cli-skeleton output: the command checked as given, the skeleton validated, printed as an answer', async () => {
    // Printed through --output and --query, float zeros as 0.0 and the epoch as Python prints a datetime.
    for (const output of ['json', 'text', 'table', 'yaml']) {
      const r = await same(['get-behavior-model-training-summaries', '--generate-cli-skeleton', 'output', '--output', output]);
      assert.match(r.stdout, /0\.0/);
      assert.match(r.stdout, output === 'json' ? /1970-01-01T00:00:00/ : /1970-01-01 00:00:00/);
    }
    await same(['get-behavior-model-training-summaries', '--generate-cli-skeleton', 'output', '--query', 'summaries[0]']);
    await same(['describe-dimension', '--name', 'x', '--generate-cli-skeleton', 'output', '--output', 'table']);
    await same(['list-dimensions', '--generate-cli-skeleton', 'output', '--output', 'text']);
    // Required options stay required for an output skeleton (and for --generate-cli-skeleton=input, one word).
    await same(['describe-dimension', '--generate-cli-skeleton', 'output'], 252);
    await same(['describe-dimension', '--generate-cli-skeleton=input'], 252);
    await same(['describe-dimension', '--generate-cli-skeleton']);
    // The skeleton's zeros break the output shape's minimums: Parameter validation failed, as the Stubber says.
    for (const args of [['list-active-violations'], ['list-violation-events', ...EVENTS]]) {
      const [a, w] = await Promise.all([cli('aws', [...args, '--generate-cli-skeleton', 'output']), cli('warden', [...args, '--generate-cli-skeleton', 'output'])]);
      assert.equal(a.code, 252, a.stderr);
      assert.equal(w.code, 252, w.stderr);
      assert.match(a.stderr, /^\nParameter validation failed:\nInvalid value for parameter \w+\[0\]\.behavior\.criteria\.consecutiveDatapointsToAlarm, value: 0, valid min value: 1\n/);
      assert.equal(w.stderr, a.stderr);
      assert.equal(w.stdout, a.stdout);
    }
  });

  test('list-metric-values: the datapoints a profile retains, in every output and in pages; its errors', async () => {
    // A profile that only retains bytes in (made once, through the API) covers detect-dev through the parent group.
    const made = await raw(server.url, { method: 'POST', path: '/security-profiles/sp-retain', body: JSON.stringify({ additionalMetricsToRetainV2: [{ metric: 'aws:all-bytes-in' }] }) });
    assert.equal(made.status, 200, made.text);
    const attached = await raw(server.url, { method: 'PUT', path: '/security-profiles/sp-retain/targets', query: { securityProfileTargetArn: PARENT } });
    assert.equal(attached.status, 200, attached.text);
    for (const id of [4, 5, 6]) await sendReport('detect-dev', id, 700);
    const values = ['list-metric-values', '--thing-name', 'detect-dev', '--metric-name', 'aws:all-bytes-in', ...EVENTS];
    const all = await same(values);
    assert.deepEqual(JSON.parse(all.stdout).metricDatumList.map((d: { value: unknown }) => d.value), [{ count: 100 }, { count: 100 }, { count: 100 }]);
    for (const output of ['text', 'table', 'yaml']) await same([...values, '--output', output]);
    await same([...values, '--max-items', '2', '--page-size', '1', '--query', 'metricDatumList[].timestamp']);
    await same(['list-metric-values', '--thing-name', 'detect-dev', '--metric-name', 'aws:all-bytes-out', ...EVENTS, '--output', 'text']);
    await sameError(['list-metric-values', '--thing-name', 'detect-dev', '--metric-name', 'aws:bytes-sideways', ...EVENTS], 'InvalidRequestException', 'ListMetricValues');
    await sameError(['list-metric-values', '--thing-name', 'detect-dev', '--metric-name', 'no-such-metric', ...EVENTS], 'ResourceNotFoundException', 'ListMetricValues');
    await same(['list-metric-values', '--thing-name', 'detect-dev', '--metric-name', 'aws:all-bytes-in'], 252);
  });

  test('deletes: a profile, then the dimension and custom metrics it used', async () => {
    await bothOn('sp-short', (n) => ['delete-security-profile', '--security-profile-name', n]);
    await bothOn('sp', (n) => ['delete-security-profile', '--security-profile-name', n, '--expected-version', '1']);
    await same(['list-security-profiles', '--output', 'text']);
    await sameError(['describe-security-profile', '--security-profile-name', 'sp-aws'], 'ResourceNotFoundException', 'DescribeSecurityProfile');
    await bothOn('topics', (n) => ['delete-dimension', '--name', n]);
    await bothOn('cm-num', (n) => ['delete-custom-metric', '--metric-name', n]);
    const left = await same(['list-custom-metrics', '--output', 'text']);
    assert.doesNotMatch(left.stdout, /cm-num/);
    await same(['list-dimensions']);
  });
});
