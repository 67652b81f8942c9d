// The statement analysis behind IOT_POLICY_OVERLY_PERMISSIVE_CHECK and
// IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK: every example of AWS's two check pages
// (SEMANTICS.md 2.1) decided as documented, plus Warden's own rules for what AWS leaves open.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { broadActions, broadActionsReason, parsePolicy } from '../../src/audit/policy-analysis.js';
import { misconfigurationReason, misconfigurations } from '../../src/audit/policy-misconfiguration.js';

const A = 'arn:aws:iot:us-east-1:123456789012';

type Stmt = { Effect: 'Allow' | 'Deny'; Action?: string | string[]; NotAction?: string | string[]; Resource?: string | string[]; NotResource?: string | string[]; Condition?: unknown; Sid?: string };
const doc = (...Statement: Stmt[]): string => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[], Condition?: unknown): Stmt => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
const deny = (Action: string | string[], Resource: string | string[], Condition?: unknown): Stmt => ({ Effect: 'Deny', Action, Resource, ...(Condition ? { Condition } : {}) });
const ATTACHED = { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } };

function broad(document: string): string[] {
  const st = parsePolicy(document);
  assert.ok(st, 'the document parses');
  return broadActions(st);
}

function misconfigured(document: string): string[] {
  const st = parsePolicy(document);
  assert.ok(st, 'the document parses');
  return misconfigurations(st).map((m) => m.code);
}

describe('IOT_POLICY_OVERLY_PERMISSIVE_CHECK: Connect (AWS page examples)', () => {
  test('client/* is broad', () => {
    assert.deepEqual(broad(doc(allow('iot:Connect', `${A}:client/*`))), ['iot:Connect']);
  });
  test('client/${iot:ClientId} without the IsAttached condition is broad (equivalent to *)', () => {
    assert.deepEqual(broad(doc(allow('iot:Connect', `${A}:client/\${iot:ClientId}`))), ['iot:Connect']);
  });
  test('client/${iot:ClientId} with IsAttached = "true", true or ["true"] is compliant', () => {
    for (const v of ['true', true, ['true'], 'TRUE']) {
      assert.deepEqual(broad(doc(allow('iot:Connect', `${A}:client/\${iot:ClientId}`, { Bool: { 'iot:Connection.Thing.IsAttached': v } }))), [], String(v));
    }
  });
  test('client/${iot:ClientId} with IsAttached = "false" is broad', () => {
    assert.deepEqual(broad(doc(allow('iot:Connect', `${A}:client/\${iot:ClientId}`, { Bool: { 'iot:Connection.Thing.IsAttached': 'false' } }))), ['iot:Connect']);
  });
  test('client/${iot:Connection.Thing.ThingName} with Bool IsAttached "true" is compliant (the page\'s compliant policy)', () => {
    assert.deepEqual(broad(doc(allow(['iot:Connect'], [`${A}:client/\${iot:Connection.Thing.ThingName}`], ATTACHED))), []);
  });
  test('client/${iot:Connection.Thing.ThingName} without the condition is compliant too (the variable only resolves for an attached thing)', () => {
    assert.deepEqual(broad(doc(allow('iot:Connect', `${A}:client/\${iot:Connection.Thing.ThingName}`))), []);
  });
  test('a specific client id and a prefix wildcard are compliant', () => {
    assert.deepEqual(broad(doc(allow('iot:Connect', [`${A}:client/client1`, `${A}:client/sensor-*`]))), []);
  });
});

describe('IOT_POLICY_OVERLY_PERMISSIVE_CHECK: Publish (AWS page examples)', () => {
  test('topic/$aws/things/*/shadow/update is broad', () => {
    assert.deepEqual(broad(doc(allow('iot:Publish', `${A}:topic/$aws/things/*/shadow/update`))), ['iot:Publish']);
  });
  test('topic/$aws/things/* is broad', () => {
    assert.deepEqual(broad(doc(allow('iot:Publish', `${A}:topic/$aws/things/*`))), ['iot:Publish']);
  });
  test('topic/$aws/things/${iot:Connection.Thing.ThingName}/shadow/* is compliant', () => {
    assert.deepEqual(broad(doc(allow(['iot:Publish'], [`${A}:topic/$aws/things/\${iot:Connection.Thing.ThingName}/shadow/*`]))), []);
  });
  test('a custom topic namespace is compliant; topic/* is broad (it covers the reserved thing topics)', () => {
    assert.deepEqual(broad(doc(allow('iot:Publish', `${A}:topic/sensors/*`))), []);
    assert.deepEqual(broad(doc(allow('iot:Publish', `${A}:topic/*`))), ['iot:Publish']);
  });
  test('an MQTT wildcard in a Publish resource is a literal character: compliant', () => {
    assert.deepEqual(broad(doc(allow('iot:Publish', `${A}:topic/$aws/things/+/shadow/update`))), []);
  });
});

describe('IOT_POLICY_OVERLY_PERMISSIVE_CHECK: policy variables (Warden\'s rule where AWS is silent)', () => {
  test('${iot:ClientId} in a topic counts as * without IsAttached and pins the device with it', () => {
    const shadow = `${A}:topic/$aws/things/\${iot:ClientId}/shadow/*`;
    assert.deepEqual(broad(doc(allow('iot:Publish', shadow))), ['iot:Publish']);
    assert.deepEqual(broad(doc(allow('iot:Publish', shadow, ATTACHED))), []);
  });
  test('certificate and thing attribute variables pin the resource to the connecting device', () => {
    assert.deepEqual(broad(doc(allow('iot:Publish', `${A}:topic/$aws/things/\${iot:Certificate.Subject.CommonName}/shadow/*`))), []);
    assert.deepEqual(broad(doc(allow('iot:GetThingShadow', `${A}:thing/\${iot:Connection.Thing.Attributes[name]}`))), []);
  });
  test('${*} is a literal star, not a wildcard', () => {
    assert.deepEqual(broad(doc(allow('iot:Connect', `${A}:client/\${*}`))), []);
  });
  test('a Deny naming a variable covers one value only: the broad grant stays', () => {
    assert.deepEqual(broad(doc(allow('iot:Connect', `${A}:client/*`), deny('iot:Connect', `${A}:client/\${iot:ClientId}`))), ['iot:Connect']);
  });
});

describe('IOT_POLICY_OVERLY_PERMISSIVE_CHECK: Subscribe and Receive (AWS page examples)', () => {
  test('topicfilter/$aws/things/* is broad', () => {
    assert.deepEqual(broad(doc(allow('iot:Subscribe', `${A}:topicfilter/$aws/things/*`))), ['iot:Subscribe']);
  });
  test('topicfilter/$aws/things/# is broad', () => {
    assert.deepEqual(broad(doc(allow('iot:Subscribe', `${A}:topicfilter/$aws/things/#`))), ['iot:Subscribe']);
  });
  test('topicfilter/$aws/things/+/shadow/update is broad', () => {
    assert.deepEqual(broad(doc(allow('iot:Subscribe', `${A}:topicfilter/$aws/things/+/shadow/update`))), ['iot:Subscribe']);
  });
  test('the thing\'s own shadow/* and jobs/* filters are compliant', () => {
    const own = (rest: string) => `${A}:topicfilter/$aws/things/\${iot:Connection.Thing.ThingName}/${rest}`;
    assert.deepEqual(broad(doc(allow(['iot:Subscribe'], [own('shadow/*'), own('jobs/*')]))), []);
  });
  test('topicfilter/$aws/# and topicfilter/$aws/+/+/shadow/update are broad; topicfilter/# is not (it does not match $ topics)', () => {
    assert.deepEqual(broad(doc(allow('iot:Subscribe', `${A}:topicfilter/$aws/#`))), ['iot:Subscribe']);
    assert.deepEqual(broad(doc(allow('iot:Subscribe', `${A}:topicfilter/$aws/+/+/shadow/update`))), ['iot:Subscribe']);
    assert.deepEqual(broad(doc(allow('iot:Subscribe', `${A}:topicfilter/#`))), []);
  });
  test('Receive on topic/$aws/things/* is compliant (a device receives only what it may subscribe to)', () => {
    assert.deepEqual(broad(doc(allow('iot:Receive', `${A}:topic/$aws/things/*`))), []);
    assert.deepEqual(broad(doc(allow('iot:Receive', '*'))), []);
  });
});

describe('IOT_POLICY_OVERLY_PERMISSIVE_CHECK: shadow and job APIs (AWS page examples)', () => {
  const apis = [
    'iot:DeleteThingShadow',
    'iot:GetThingShadow',
    'iot:UpdateThingShadow',
    'iot:DescribeJobExecution',
    'iot:GetPendingJobExecutions',
    'iot:StartNextPendingJobExecution',
    'iot:UpdateJobExecution',
  ];
  test('each on thing/* is broad', () => {
    for (const api of apis) assert.deepEqual(broad(doc(allow(api, `${A}:thing/*`))), [api], api);
  });
  test('all of them on a list of specific things is compliant (the page writes ":/thing/MyThing1")', () => {
    assert.deepEqual(broad(doc(allow(apis, [`${A}:/thing/MyThing1`, `${A}:/thing/MyThing2`]))), []);
    assert.deepEqual(broad(doc(allow(apis, [`${A}:thing/MyThing1`, `${A}:thing/\${iot:Connection.Thing.ThingName}`]))), []);
  });
  test('the reason text lists them after the MQTT and shadow actions', () => {
    assert.deepEqual(broad(doc(allow(apis, `${A}:thing/*`))), [
      'iot:GetThingShadow',
      'iot:DeleteThingShadow',
      'iot:UpdateThingShadow',
      'iot:DescribeJobExecution',
      'iot:GetPendingJobExecutions',
      'iot:StartNextPendingJobExecution',
      'iot:UpdateJobExecution',
    ]);
  });
});

describe('IOT_POLICY_OVERLY_PERMISSIVE_CHECK: action and resource wildcards, Not*, Deny', () => {
  const ALL = [
    'iot:Subscribe',
    'iot:Connect',
    'iot:GetThingShadow',
    'iot:DeleteThingShadow',
    'iot:UpdateThingShadow',
    'iot:Publish',
    'iot:DescribeJobExecution',
    'iot:GetPendingJobExecutions',
    'iot:StartNextPendingJobExecution',
    'iot:UpdateJobExecution',
  ];
  test('iot:* and * on Resource * grant every data-plane action broadly', () => {
    assert.deepEqual(broad(doc(allow('iot:*', '*'))), ALL);
    assert.deepEqual(broad(doc(allow('*', '*'))), ALL);
  });
  test('arn:aws:iot:*:*:* and arn:aws:iot:* are as broad as *', () => {
    assert.deepEqual(broad(doc(allow('iot:*', 'arn:aws:iot:*:*:*'))), ALL);
    assert.deepEqual(broad(doc(allow('iot:*', 'arn:aws:iot:*'))), ALL);
  });
  test('iot:Get* expands to the Get actions only; action names are case-insensitive', () => {
    assert.deepEqual(broad(doc(allow('iot:Get*', '*'))), ['iot:GetThingShadow', 'iot:GetPendingJobExecutions']);
    assert.deepEqual(broad(doc(allow('IOT:connect', '*'))), ['iot:Connect']);
  });
  test('the reason text has AWS\'s wording and order', () => {
    const actions = broad(doc(allow(['iot:Publish', 'iot:Connect', 'iot:Subscribe', 'iot:*Shadow'], '*')));
    assert.equal(
      broadActionsReason(actions),
      'Policy allows broad access to IoT data plane actions: [iot:Subscribe, iot:Connect, iot:GetThingShadow, iot:DeleteThingShadow, iot:UpdateThingShadow, iot:Publish].',
    );
  });
  test('NotAction in an Allow is broad for every action it does not name', () => {
    assert.deepEqual(broad(doc({ Effect: 'Allow', NotAction: ['iot:Subscribe', 'iot:*Job*', 'iot:*Shadow'], Resource: '*' })), ['iot:Connect', 'iot:Publish']);
  });
  test('NotResource in an Allow is broad unless the exclusions cover the other devices\' resources', () => {
    assert.deepEqual(broad(doc({ Effect: 'Allow', Action: 'iot:Connect', NotResource: `${A}:client/admin` })), ['iot:Connect']);
    assert.deepEqual(broad(doc({ Effect: 'Allow', Action: 'iot:Publish', NotResource: `${A}:topic/$aws/*` })), []);
  });
  test('a service other than iot in the ARN grants nothing here', () => {
    assert.deepEqual(broad(doc(allow('iot:Connect', 'arn:aws:s3:::bucket/*'))), []);
  });
  test('an unconditional Deny on the same action and resources takes the grant away', () => {
    assert.deepEqual(broad(doc(allow('iot:*', '*'), deny('iot:*', '*'))), []);
    assert.deepEqual(broad(doc(allow('iot:Connect', `${A}:client/*`), deny('iot:Connect', `${A}:client/*`))), []);
    assert.deepEqual(broad(doc(allow('iot:Publish', `${A}:topic/$aws/things/*`), deny('iot:Publish', `${A}:topic/$aws/things/*`))), []);
  });
  test('a Deny that covers less, or has a Condition, leaves the grant broad', () => {
    assert.deepEqual(broad(doc(allow('iot:Connect', `${A}:client/*`), deny('iot:Connect', [`${A}:client/client1`, `${A}:client/client2`]))), ['iot:Connect']);
    assert.deepEqual(broad(doc(allow('iot:Connect', `${A}:client/*`), deny('iot:Connect', `${A}:client/*`, { StringEquals: { 'aws:SourceIp': '10.0.0.1' } }))), ['iot:Connect']);
    assert.deepEqual(broad(doc(allow('iot:Publish', `${A}:topic/$aws/things/*`), deny('iot:Publish', `${A}:topic/$aws/things/*/shadow/update`))), ['iot:Publish']);
    assert.deepEqual(broad(doc(allow(['iot:Connect', 'iot:Publish'], '*'), deny('iot:Connect', '*'))), ['iot:Publish']);
  });
  test('only Allow grants: a Deny alone is compliant', () => {
    assert.deepEqual(broad(doc(deny('iot:*', '*'))), []);
  });
  test('a single statement object (not a list) is read too', () => {
    const st = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' } }));
    assert.ok(st);
    assert.deepEqual(broadActions(st), ['iot:Connect']);
  });
  test('an unparseable document is undefined', () => {
    assert.equal(parsePolicy('{nope'), undefined);
  });
});

describe('IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK (AWS page examples)', () => {
  const ALLOW_SUB = allow('iot:Subscribe', `${A}:topicfilter/building/*`);
  const ALLOW_RECV = allow('iot:Receive', `${A}:topic/building/*`);
  const DENY_SUB = deny('iot:Subscribe', `${A}:topicfilter/building/control_room/*`);
  const DENY_RECV = deny('iot:Receive', `${A}:topic/building/control_room/*`);

  test('MQTT wildcard # in a Deny: POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT', () => {
    const d = doc(ALLOW_SUB, deny('iot:Subscribe', `${A}:topicfilter/building/control_room/#`), ALLOW_RECV);
    assert.deepEqual(misconfigured(d), ['POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT']);
    const items = misconfigurations(parsePolicy(d)!);
    assert.equal(
      misconfigurationReason('POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT', items),
      `Deny statement uses MQTT wildcards (+ or #), which IoT policies match as literal characters, so it does not deny the topics they stand for: statement #2 on ${A}:topicfilter/building/control_room/#.`,
    );
  });
  test('+ in a Deny on a topic counts as well, and the Sid names the statement', () => {
    const d = doc(allow('iot:Publish', `${A}:topic/*`), { Sid: 'NoControl', ...deny('iot:Publish', `${A}:topic/building/+/control`) });
    assert.deepEqual(misconfigured(d), ['POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT']);
    assert.match(misconfigurationReason('POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT', misconfigurations(parsePolicy(d)!)), /statement "NoControl" on .*topic\/building\/\+\/control\.$/);
  });
  test('# in an Allow, or in a Deny of a non-MQTT action, is not this misconfiguration', () => {
    assert.deepEqual(misconfigured(doc(allow('iot:Subscribe', `${A}:topicfilter/building/#`))), []);
    assert.deepEqual(misconfigured(doc(allow('iot:*', '*'), deny('iot:GetThingShadow', `${A}:thing/#`))), []);
  });
  test('Deny topicfilter/building/control_room/* with Subscribe building/* and Receive allowed: TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS', () => {
    const d = doc(ALLOW_SUB, DENY_SUB, ALLOW_RECV);
    assert.deepEqual(misconfigured(d), ['TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS']);
    assert.equal(
      misconfigurationReason('TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS', misconfigurations(parsePolicy(d)!)),
      `Topic filters a Deny statement is meant to deny are allowed through MQTT wildcard subscriptions, and iot:Receive on those topics is not denied: statement #2 on ${A}:topicfilter/building/control_room/* (a device may subscribe to building/#).`,
    );
  });
  test('the properly configured policy (Receive on the subtopics denied too) is compliant for both codes', () => {
    assert.deepEqual(misconfigured(doc(ALLOW_SUB, DENY_SUB, ALLOW_RECV, DENY_RECV)), []);
  });
  test('a specific denied filter got around with topicfilter/* or topicfilter/x*', () => {
    const secret = deny('iot:Subscribe', `${A}:topicfilter/x/secret`);
    const recv = allow('iot:Receive', `${A}:topic/*`);
    assert.deepEqual(misconfigured(doc(allow('iot:Subscribe', `${A}:topicfilter/*`), secret, recv)), ['TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS']);
    assert.deepEqual(misconfigured(doc(allow('iot:Subscribe', `${A}:topicfilter/x*`), secret, recv)), ['TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS']);
  });
  test('compliant when no wildcard filter is allowed, when Receive is never allowed, or when the wildcard filters are denied too', () => {
    const secret = deny('iot:Subscribe', `${A}:topicfilter/x/secret`);
    const recv = allow('iot:Receive', `${A}:topic/*`);
    assert.deepEqual(misconfigured(doc(allow('iot:Subscribe', [`${A}:topicfilter/x/secret`, `${A}:topicfilter/x/public`]), secret, recv)), []);
    assert.deepEqual(misconfigured(doc(allow('iot:Subscribe', `${A}:topicfilter/*`), secret)), []);
    const deniedWildcards = deny('iot:Subscribe', [`${A}:topicfilter/*#`, `${A}:topicfilter/*+*`]);
    assert.deepEqual(misconfigured(doc(allow('iot:Subscribe', `${A}:topicfilter/*`), secret, deniedWildcards, recv)), ['POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT', 'POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT']);
  });
});
