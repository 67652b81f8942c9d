// Detect's whole loop through real clients against a real `warden serve` process with SNS delivery
// to moto_server: boto3 1.43 (pyenv python3) and 1.26 (Debian /usr/bin/python3) via
// test/wire/py/detect.py (profiles with static, statistical and ML behaviors, device reports signed
// by botocore, the outlier's violation (a listening port outside the set) and alert, a detect mitigation task that quarantines it,
// alarm-cleared after normal reports); then the AWS CLI v2 reads the same state.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { reset, ROOT, startServer, type Running } from '../harness.js';
import { startMoto, type Moto } from '../moto.js';
import { awsIot } from './aws-iot.js';
import { stopCliRunners } from './cli-runner.js';
import { pythonScenario } from './env.js';

const SCRIPT = join(ROOT, 'test/wire/py/detect.py');
const PYTHONS = [
  { name: 'boto3 1.43 on pyenv python3', python: 'python3' },
  { name: 'boto3 1.26 on Debian /usr/bin/python3', python: '/usr/bin/python3' },
];

type Call = Record<string, any>;
const ok = (c: Call, what: string) => assert.equal(c.ok, true, `${what}: expected success, got ${c.code} (${c.status}): ${c.message}`);

let moto: Moto;
let server: Running;
before(async () => {
  moto = await startMoto();
  server = await startServer({ args: ['--no-detect-throttle', '--sns-endpoint', moto.url, '--sns-access-key-id', 'test', '--sns-secret-access-key', 'test'] });
});
after(async () => {
  stopCliRunners();
  await server?.cleanup();
  moto?.stop();
});

for (const client of PYTHONS) {
  describe(`Detect through ${client.name}`, () => {
    let o: Call;
    let queueUrl: string;
    before(async () => {
      await reset(server.url);
      const t = await moto.topicWithQueue();
      queueUrl = t.queueUrl;
      o = await pythonScenario(client.python, [SCRIPT, server.url, t.topicArn]);
    });

    test('profiles: validation, create, attach, describe with the three kinds of behavior', () => {
      assert.equal(o.validateBad.valid, false);
      assert.match(o.validateBad.validationErrors[0].errorMessage, /bad/);
      assert.equal(o.validate.valid, true);
      ok(o.create, 'create');
      ok(o.attach, 'attach');
      assert.deepEqual(o.describe.behaviors.map((b: Call) => b.name), ['bytes-out', 'ports', 'bytes-in-p90', 'packets-out-ml']);
      assert.deepEqual(o.describe.behaviors[3].criteria, { mlDetectionConfig: { confidenceLevel: 'HIGH' } });
      assert.equal(o.forTarget.securityProfileTargetMappings[0].securityProfileIdentifier.name, 'fleet-rules');
    });

    test("the outlier's violation, its alert through SNS, the quarantine, and alarm-cleared", async () => {
      assert.deepEqual(o.reports.map((r: Call) => [r.status, r.body.status]), [[200, 'ACCEPTED'], [200, 'ACCEPTED'], [200, 'ACCEPTED']]);
      ok(o.active, 'list active');
      assert.deepEqual(o.active.activeViolations.map((v: Call) => [v.thingName, v.behavior.name, v.lastViolationValue]), [['d1', 'ports', { ports: [443, 31337] }]]);
      assert.equal(o.task.taskSummary.taskStatus, 'SUCCESSFUL');
      assert.deepEqual(o.groupsOfD1.thingGroups.map((g: Call) => g.groupName).sort(), ['fleet', 'quarantine']);
      assert.deepEqual(o.groupsOfD2.thingGroups.map((g: Call) => g.groupName), ['fleet']);
      assert.equal(o.clearReport.status, 200);
      assert.deepEqual(o.activeAfter.activeViolations, []);
      assert.deepEqual(o.events.violationEvents.map((e: Call) => e.violationEventType).sort(), ['alarm-cleared', 'in-alarm']);
      const seen: Call[] = [];
      while (seen.length < 2) seen.push(...(await moto.received(queueUrl)).map((n) => JSON.parse(n.Message)));
      assert.deepEqual(seen.map((a) => a.violationEventType).sort(), ['alarm-cleared', 'in-alarm']);
      assert.ok(seen.every((a) => a.thingName === 'd1' && a.securityProfileName === 'fleet-rules' && a.behavior.name === 'ports'));
    });
  });
}

describe('Detect through the AWS CLI v2 (Debian /usr/bin/aws)', () => {
  const cli = awsIot({ cmd: '/usr/bin/aws', errorExit: 254 }, () => server.url);
  test('the profile, its targets and the violation events as the CLI reads them; an unknown profile', async () => {
    const d = await cli.ok(['describe-security-profile', '--security-profile-name', 'fleet-rules']);
    assert.equal(d.securityProfileName, 'fleet-rules');
    const targets = await cli.ok(['list-targets-for-security-profile', '--security-profile-name', 'fleet-rules']);
    assert.deepEqual(targets.securityProfileTargets.map((t: Call) => t.arn), ['arn:aws:iot:us-east-1:000000000000:thinggroup/fleet']);
    const listed = await cli.ok(['list-security-profiles', '--metric-name', 'aws:all-bytes-out']);
    assert.deepEqual(listed.securityProfileIdentifiers.map((p: Call) => p.name), ['fleet-rules']);
    const now = Math.floor(Date.now() / 1000);
    const events = await cli.ok(['list-violation-events', '--start-time', String(now - 3600), '--end-time', String(now + 3600)]);
    assert.deepEqual(events.violationEvents.map((e: Call) => e.violationEventType).sort(), ['alarm-cleared', 'in-alarm']);
    const message = await cli.fails(['describe-security-profile', '--security-profile-name', 'ghost'], 'ResourceNotFoundException', 'DescribeSecurityProfile');
    assert.match(message, /ghost/);
  });
});
