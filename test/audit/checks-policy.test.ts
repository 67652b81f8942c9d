// IOT_POLICY_OVERLY_PERMISSIVE_CHECK, IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK and
// LOGGING_DISABLED_CHECK run against a real store (both backends) that the real API filled:
// an in-process server, policies and logging options set through @aws-sdk/client-iot. Each
// scenario uses its own region, so its scope starts empty.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreatePolicyCommand, CreatePolicyVersionCommand, SetDefaultPolicyVersionCommand, SetLoggingOptionsCommand, SetV2LoggingOptionsCommand } from '@aws-sdk/client-iot';
import type { CheckContext, CheckFinding } from '../../src/audit/check.js';
import { iotPolicyOverlyPermissive } from '../../src/audit/checks/iot-policy-overly-permissive.js';
import { iotPolicyPotentialMisconfiguration } from '../../src/audit/checks/iot-policy-potential-misconfiguration.js';
import { loggingDisabled } from '../../src/audit/checks/logging-disabled.js';
import { BACKENDS } from '../harness.js';
import { assertRegistered, ok, useCheckServer } from './check-harness.js';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/iot-logging`;
const doc = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });
const arn = (region: string, rest: string): string => `arn:aws:iot:${region}:${ACCOUNT}:${rest}`;

/** Findings by policy name (and code), for order-free comparison. */
const byPolicy = (findings: CheckFinding[]): Record<string, string> =>
  Object.fromEntries(
    findings.map((f) => {
      const id = f.resourceIdentifier.policyVersionIdentifier!;
      return [`${id.policyName}@${id.policyVersionId} ${f.reasonForNonComplianceCode}`, f.reasonForNonCompliance];
    }),
  );

test('the three checks are registered with their severities', () =>
  assertRegistered(
    [iotPolicyOverlyPermissive, 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK:CRITICAL'],
    [iotPolicyPotentialMisconfiguration, 'IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK:MEDIUM'],
    [loggingDisabled, 'LOGGING_DISABLED_CHECK:LOW'],
  ));

for (const backend of BACKENDS) {
  describe(`IoT policy and logging audit checks (${backend})`, () => {
    const w = useCheckServer(backend, 'policy', { taskId: 'policy-audit' });
    const { clock, client } = w;
    const ctx = (region: string, signal = new AbortController().signal): CheckContext => w.checkContext(region, { signal });

    test('overly permissive: the default version of each policy is judged; findings name it and list the broad actions', async () => {
      const region = 'us-east-2';
      const c = client(region);
      const create = (policyName: string, policyDocument: string) => c.send(new CreatePolicyCommand({ policyName, policyDocument }));
      const version = (policyName: string, policyDocument: string, setAsDefault: boolean) => c.send(new CreatePolicyVersionCommand({ policyName, policyDocument, setAsDefault }));
      const broad = doc({ Effect: 'Allow', Action: 'iot:*', Resource: '*' });
      const compliant = doc(
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn(region, 'client/${iot:Connection.Thing.ThingName}'), Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } } },
        { Effect: 'Allow', Action: 'iot:Publish', Resource: arn(region, 'topic/$aws/things/${iot:Connection.Thing.ThingName}/shadow/*') },
        {
          Effect: 'Allow',
          Action: 'iot:Subscribe',
          Resource: [arn(region, 'topicfilter/$aws/things/${iot:Connection.Thing.ThingName}/shadow/*'), arn(region, 'topicfilter/$aws/things/${iot:Connection.Thing.ThingName}/jobs/*')],
        },
        { Effect: 'Allow', Action: 'iot:Receive', Resource: arn(region, 'topic/$aws/things/*') },
        { Effect: 'Allow', Action: ['iot:GetThingShadow', 'iot:UpdateJobExecution'], Resource: [arn(region, '/thing/MyThing1'), arn(region, '/thing/MyThing2')] },
      );
      await create('aws-example', doc({ Effect: 'Allow', Action: ['iot:Connect', 'iot:Publish', 'iot:Subscribe', 'iot:*ThingShadow'], Resource: '*' }));
      await create('everything', broad);
      await create('compliant', compliant);
      await create('client-id', doc({ Effect: 'Allow', Action: 'iot:Connect', Resource: arn(region, 'client/${iot:ClientId}') }));
      await create('fixed-later', broad);
      await version('fixed-later', compliant, true);
      await create('broadened-later', compliant);
      await version('broadened-later', doc({ Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn(region, 'topicfilter/$aws/things/#') }), true);
      await create('not-default', compliant);
      await version('not-default', broad, false);
      await create('rolled-back', compliant);
      await version('rolled-back', broad, true);
      await c.send(new SetDefaultPolicyVersionCommand({ policyName: 'rolled-back', policyVersionId: '1' }));
      // Another region's broad policy is another scope's.
      await client('us-west-1').send(new CreatePolicyCommand({ policyName: 'elsewhere', policyDocument: broad }));

      const r = ok(await iotPolicyOverlyPermissive.run(ctx(region)));
      assert.equal(r.totalResourcesCount, 8);
      const all =
        'Policy allows broad access to IoT data plane actions: [iot:Subscribe, iot:Connect, iot:GetThingShadow, iot:DeleteThingShadow, iot:UpdateThingShadow, iot:Publish, iot:DescribeJobExecution, iot:GetPendingJobExecutions, iot:StartNextPendingJobExecution, iot:UpdateJobExecution].';
      assert.deepEqual(byPolicy(r.findings), {
        'aws-example@1 ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS':
          'Policy allows broad access to IoT data plane actions: [iot:Subscribe, iot:Connect, iot:GetThingShadow, iot:DeleteThingShadow, iot:UpdateThingShadow, iot:Publish].',
        'everything@1 ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS': all,
        'client-id@1 ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS': 'Policy allows broad access to IoT data plane actions: [iot:Connect].',
        'broadened-later@2 ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS': 'Policy allows broad access to IoT data plane actions: [iot:Subscribe].',
      });
      for (const f of r.findings) {
        assert.equal(f.resourceType, 'IOT_POLICY');
        assert.deepEqual(Object.keys(f.resourceIdentifier), ['policyVersionIdentifier']);
      }

      const other = ok(await iotPolicyOverlyPermissive.run(ctx('us-west-1')));
      assert.equal(other.totalResourcesCount, 1);
      assert.equal(other.findings.length, 1);
      const empty = ok(await iotPolicyOverlyPermissive.run(ctx('sa-east-1')));
      assert.deepEqual([empty.totalResourcesCount, empty.findings.length], [0, 0]);
    });

    test('potential misconfiguration: AWS\'s examples get their reason codes; the properly configured policy none', async () => {
      const region = 'eu-west-2';
      const c = client(region);
      const create = (policyName: string, ...statements: object[]) => c.send(new CreatePolicyCommand({ policyName, policyDocument: doc(...statements) }));
      const allowSub = { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn(region, 'topicfilter/building/*') };
      const allowRecv = { Effect: 'Allow', Action: 'iot:Receive', Resource: arn(region, 'topic/building/*') };
      const denySub = { Effect: 'Deny', Action: 'iot:Subscribe', Resource: arn(region, 'topicfilter/building/control_room/*') };
      const denyRecv = { Effect: 'Deny', Action: 'iot:Receive', Resource: arn(region, 'topic/building/control_room/*') };
      await create('wildcard-deny', allowSub, { Effect: 'Deny', Action: 'iot:Subscribe', Resource: arn(region, 'topicfilter/building/control_room/#') }, allowRecv);
      await create('bypassed-deny', allowSub, denySub, allowRecv);
      await create('proper', allowSub, denySub, allowRecv, denyRecv);
      await create('both', allowSub, denySub, allowRecv, { Sid: 'NoPlus', Effect: 'Deny', Action: 'iot:Publish', Resource: arn(region, 'topic/building/+/alarm') });
      await create('no-deny', { Effect: 'Allow', Action: 'iot:*', Resource: '*' });

      const r = ok(await iotPolicyPotentialMisconfiguration.run(ctx(region)));
      assert.equal(r.totalResourcesCount, 5);
      const reasons = byPolicy(r.findings);
      assert.deepEqual(Object.keys(reasons).sort(), [
        'both@1 POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT',
        'both@1 TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS',
        'bypassed-deny@1 TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS',
        'wildcard-deny@1 POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT',
      ]);
      assert.equal(
        reasons['wildcard-deny@1 POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT'],
        `Deny statement uses MQTT wildcards (+ or #), which IoT policies match as literal characters, so it does not deny the topics they stand for: statement #2 on ${arn(region, 'topicfilter/building/control_room/#')}.`,
      );
      assert.equal(
        reasons['bypassed-deny@1 TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS'],
        `Topic filters a Deny statement is meant to deny are allowed through MQTT wildcard subscriptions, and iot:Receive on those topics is not denied: statement #2 on ${arn(region, 'topicfilter/building/control_room/*')} (a device may subscribe to building/#).`,
      );
      assert.match(reasons['both@1 POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT']!, /statement "NoPlus" on arn:aws:iot:eu-west-2:000000000000:topic\/building\/\+\/alarm\.$/);
      for (const f of r.findings) assert.equal(f.resourceType, 'IOT_POLICY');
    });

    test('logging disabled: off until v1 or v2 logging is enabled; DISABLED levels and disableAllLogs do not count', async () => {
      const region = 'ap-south-1';
      const c = client(region);
      const finding = async (): Promise<boolean> => {
        const r = ok(await loggingDisabled.run(ctx(region)));
        assert.equal(r.totalResourcesCount, 1);
        if (r.findings.length === 0) return false;
        assert.equal(r.findings.length, 1);
        const [f] = r.findings;
        assert.equal(f.resourceType, 'ACCOUNT_SETTINGS');
        assert.deepEqual(f.resourceIdentifier, { account: ACCOUNT });
        assert.equal(f.reasonForNonComplianceCode, 'LOGGING_DISABLED');
        assert.equal(f.reasonForNonCompliance, 'AWS IoT logging is disabled: neither v1 logging (SetLoggingOptions) nor v2 logging (SetV2LoggingOptions) is enabled.');
        return true;
      };
      assert.equal(await finding(), true, 'never set');
      await c.send(new SetV2LoggingOptionsCommand({ roleArn: ROLE, defaultLogLevel: 'INFO', disableAllLogs: true }));
      assert.equal(await finding(), true, 'v2 with disableAllLogs');
      await c.send(new SetV2LoggingOptionsCommand({ roleArn: ROLE, defaultLogLevel: 'DISABLED' }));
      assert.equal(await finding(), true, 'v2 at DISABLED');
      await c.send(new SetV2LoggingOptionsCommand({ roleArn: ROLE, defaultLogLevel: 'WARN' }));
      assert.equal(await finding(), false, 'v2 at WARN');
      await c.send(new SetV2LoggingOptionsCommand({ roleArn: ROLE, defaultLogLevel: 'WARN', disableAllLogs: true }));
      assert.equal(await finding(), true, 'v2 switched off again');
      await c.send(new SetLoggingOptionsCommand({ loggingOptionsPayload: { roleArn: ROLE, logLevel: 'DISABLED' } }));
      assert.equal(await finding(), true, 'v1 at DISABLED');
      await c.send(new SetLoggingOptionsCommand({ loggingOptionsPayload: { roleArn: ROLE, logLevel: 'ERROR' } }));
      assert.equal(await finding(), false, 'v1 at ERROR');
      // Another region's settings are its own.
      assert.equal(ok(await loggingDisabled.run(ctx('ap-south-2'))).findings.length, 1);
    });

    test('an aborted audit stops the policy checks', async () => {
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(iotPolicyOverlyPermissive.run(ctx('us-east-2', ac.signal)), { name: 'AbortError' });
      await assert.rejects(iotPolicyPotentialMisconfiguration.run(ctx('us-east-2', ac.signal)), { name: 'AbortError' });
    });

    test('10,000 policies (2,500 with a newer default version): each is counted, only default versions are judged', async () => {
      const scope = { accountId: ACCOUNT, region: 'ca-central-1' };
      const kinds = [
        doc({ Effect: 'Allow', Action: 'iot:*', Resource: '*' }),
        doc({ Effect: 'Allow', Action: 'iot:Connect', Resource: arn('ca-central-1', 'client/${iot:Connection.Thing.ThingName}') }),
        doc(
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('ca-central-1', 'topicfilter/building/*') },
          { Effect: 'Deny', Action: 'iot:Subscribe', Resource: arn('ca-central-1', 'topicfilter/building/control_room/#') },
        ),
        doc({ Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: arn('ca-central-1', 'topic/$aws/things/${iot:Connection.Thing.ThingName}/*') }),
      ];
      // Loaded through the store's policy repository (the rows CreatePolicy and CreatePolicyVersion
      // write), a thousand per transaction: 10,000 HTTP calls would only slow the test down.
      const at = clock.now();
      for (let batch = 0; batch < 10; batch++) {
        await w.server.store.transaction(async (tx) => {
          for (let i = batch * 1000; i < (batch + 1) * 1000; i++) {
            const name = `bench-${String(i).padStart(5, '0')}`;
            // Every fourth policy: a broad version 1 replaced by a compliant default version 2.
            const replaced = i % 4 === 1;
            const rec = { name, arn: arn('ca-central-1', `policy/${name}`), defaultVersionId: replaced ? '2' : '1', lastVersionId: replaced ? 2 : 1, generationId: 'g', createdAt: at, modifiedAt: at };
            await tx.policies.insert(scope, rec);
            await tx.policies.insertVersion(scope, name, { versionId: '1', document: kinds[replaced ? 0 : i % 4], createdAt: at });
            if (replaced) await tx.policies.insertVersion(scope, name, { versionId: '2', document: kinds[1], createdAt: at });
          }
        });
      }
      const p = ok(await iotPolicyOverlyPermissive.run(ctx('ca-central-1')));
      const m = ok(await iotPolicyPotentialMisconfiguration.run(ctx('ca-central-1')));
      assert.equal(p.totalResourcesCount, 10_000);
      assert.equal(p.findings.length, 2_500);
      assert.ok(p.findings.every((f) => f.resourceIdentifier.policyVersionIdentifier!.policyVersionId === '1'));
      assert.equal(m.totalResourcesCount, 10_000);
      assert.equal(m.findings.length, 2_500);
      assert.ok(m.findings.every((f) => f.reasonForNonComplianceCode === 'POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT'));
    });
  });
}
