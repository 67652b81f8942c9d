// The IAM role rules behind the two role-alias checks, as pure functions: each reason code, the
// compliant documents next to it, Deny handling, unused services and the last-year cut-off.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  grantedServices,
  listText,
  notRegisteredMessage,
  overlyPermissive,
  parseRole,
  unusedServices,
  usedInLastYear,
  verdictText,
  YEAR_MS,
  type RoleReasonCode,
} from '../../src/audit/iam-analysis.js';
import { parsePolicyDocument, PolicyDocumentError } from '../../src/audit/iam-policy.js';

const ARN = 'arn:aws:iot:us-east-1:123456789012';
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Deny', Action, Resource, ...extra });
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const used = (...services: string[]) => new Set(services);

/** The reason codes for one role made of `docs`. */
const codes = (docs: unknown[], usedServices = used()): RoleReasonCode[] => overlyPermissive(parseRole(docs), usedServices).map((v) => v.code);
const grantsFor = (docs: unknown[], code: RoleReasonCode, usedServices = used()): string[] =>
  overlyPermissive(parseRole(docs), usedServices).find((v) => v.code === code)?.grants ?? [];

describe('parsePolicyDocument', () => {
  test('accepts an object or its JSON text, a single statement or a list, and normalises Action/Resource to lists', () => {
    const [st] = parsePolicyDocument(JSON.stringify({ Statement: allow('s3:GetObject', 'arn:aws:s3:::b/*') }));
    assert.deepEqual(st, { effect: 'Allow', actions: ['s3:GetObject'], notAction: false, resources: ['arn:aws:s3:::b/*'], notResource: false, condition: undefined });
    const two = parsePolicyDocument(doc({ Effect: 'Deny', NotAction: ['iot:Connect'], NotResource: '*' }, allow('*')));
    assert.equal(two.length, 2);
    assert.equal(two[0].notAction, true);
    assert.equal(two[0].notResource, true);
  });

  test('names the first problem', () => {
    const bad: [unknown, RegExp][] = [
      ['{', /not valid JSON/],
      [[], /must be a JSON object/],
      [{ Version: '2012-10-17' }, /Statement is missing/],
      [doc({ Effect: 'Maybe', Action: '*', Resource: '*' }), /Statement\.1\.Effect must be Allow or Deny/],
      [doc(allow('s3:GetObject'), { Effect: 'Allow', Resource: '*' }), /Statement\.2 must have exactly one of Action and NotAction/],
      [doc({ Effect: 'Allow', Action: '*' }), /exactly one of Resource and NotResource/],
      [doc(allow([])), /Statement\.1\.Action must be a non-empty string/],
      [doc(allow('GetObject')), /action "GetObject" must be "\*" or "service:action"/],
      [doc(allow('*', '*', { Condition: 'yes' })), /Condition must be a JSON object/],
    ];
    for (const [d, message] of bad) assert.throws(() => parsePolicyDocument(d), (e: Error) => e instanceof PolicyDocumentError && message.test(e.message), String(message));
  });
});

describe('overlyPermissive: each reason code', () => {
  test('a scoped-down role (S3 under the thing name, its own shadow) is compliant', () => {
    const scoped = doc(
      allow(['s3:GetObject', 's3:PutObject'], 'arn:aws:s3:::telemetry/${credentials-iot:ThingName}/*'),
      allow('iot:GetThingShadow', `${ARN}:thing/\${credentials-iot:ThingName}`),
      allow('iot:DescribeThing', `${ARN}:thing/MyThing*`),
    );
    assert.deepEqual(codes([scoped], used('s3', 'iot')), []);
  });

  test('ALLOWS_BROAD_ACCESS_TO_USED_SERVICES: "svc:*" or "*" on an unscoped resource, for a service used in the past year', () => {
    assert.deepEqual(grantsFor([doc(allow('dynamodb:*'))], 'ALLOWS_BROAD_ACCESS_TO_USED_SERVICES', used('dynamodb')), ['dynamodb:*']);
    assert.deepEqual(grantsFor([doc(allow('*'))], 'ALLOWS_BROAD_ACCESS_TO_USED_SERVICES', used('s3', 'sqs')), ['s3:*', 'sqs:*']);
    assert.deepEqual(grantsFor([doc(allow('s3:*', 'arn:aws:s3:::*'))], 'ALLOWS_BROAD_ACCESS_TO_USED_SERVICES', used('s3')), ['s3:*']);
    // Not used in the past year, scoped to one bucket prefix, or only some actions: not this code.
    assert.ok(!codes([doc(allow('dynamodb:*'))], used('s3')).includes('ALLOWS_BROAD_ACCESS_TO_USED_SERVICES'));
    assert.deepEqual(codes([doc(allow('s3:*', 'arn:aws:s3:::telemetry/${credentials-iot:ThingName}/*'))], used('s3')), []);
    assert.deepEqual(codes([doc(allow('s3:Get*'))], used('s3')), []);
  });

  test('ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES: any action of iam, cloudtrail, guardduty, inspector or trustedadvisor', () => {
    assert.deepEqual(codes([doc(allow('iam:GetRole', 'arn:aws:iam::123456789012:role/x'))]), ['ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES']);
    assert.deepEqual(grantsFor([doc(allow(['cloudtrail:LookupEvents', 'guardduty:List*']))], 'ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES'), ['cloudtrail', 'guardduty']);
    assert.deepEqual(grantsFor([doc(allow('*'))], 'ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES'), ['cloudtrail', 'guardduty', 'iam', 'inspector', 'inspector2', 'trustedadvisor']);
    assert.deepEqual(grantsFor([doc(allow('trusted*:Describe*'))], 'ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES'), ['trustedadvisor']);
    assert.deepEqual(codes([doc(allow('s3:GetObject'))]), []);
  });

  test('ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS: thing management even on a single thing', () => {
    const one = doc(allow(['iot:CreateThing', 'iot:AttachThingPrincipal'], `${ARN}:thing/MyThing1`));
    assert.deepEqual(codes([one]), ['ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS']);
    assert.deepEqual(grantsFor([one], 'ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS'), ['iot:AttachThingPrincipal', 'iot:CreateThing']);
  });

  test('ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS: thing reads on a broad set of things only', () => {
    assert.deepEqual(codes([doc(allow('iot:DescribeThing', `${ARN}:thing/*`))]), ['ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS']);
    assert.deepEqual(codes([doc(allow('iot:ListThingPrincipals'))]), ['ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS']);
    assert.deepEqual(codes([doc(allow('iot:DescribeThing', `${ARN}:thing/MyThing*`))]), []);
    assert.deepEqual(codes([doc(allow('iot:DescribeThing', `${ARN}:thing/\${credentials-iot:ThingName}`))]), []);
    assert.deepEqual(codes([doc(allow('iot:DescribeThing', 'arn:aws:s3:::*'))]), []);
  });

  test('ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS: any other IoT control-plane action, including ones Warden does not know', () => {
    assert.deepEqual(codes([doc(allow('iot:UpdateCertificate', `${ARN}:cert/abc`))]), ['ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS']);
    assert.deepEqual(grantsFor([doc(allow('iot:CreateBrandNewThingamajig'))], 'ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS'), ['iot:CreateBrandNewThingamajig']);
    // iot:Describe* reaches DescribeCertificate (non-thing admin), DescribeThing (thing read) and DescribeJobExecution (data plane).
    assert.deepEqual(codes([doc(allow('iot:Describe*'))]), [
      'ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS',
      'ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS',
      'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS',
    ]);
    assert.deepEqual(grantsFor([doc(allow('iot:Describe*'))], 'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS'), ['iot:DescribeJobExecution']);
    // Data-plane and credentials-provider actions are not admin actions.
    assert.deepEqual(codes([doc(allow(['iot:Receive', 'iot:AssumeRoleWithCertificate', 'iot:ListRetainedMessages']))]), []);
  });

  test('ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS: the IoT policy rules, in the IoT policy check order', () => {
    assert.deepEqual(codes([doc(allow('iot:Connect', `${ARN}:client/*`))]), ['ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS']);
    assert.deepEqual(codes([doc(allow('iot:Publish', `${ARN}:topic/$aws/things/*/shadow/update`))]), ['ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS']);
    assert.deepEqual(codes([doc(allow('iot:Subscribe', `${ARN}:topicfilter/$aws/things/#`))]), ['ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS']);
    assert.deepEqual(codes([doc(allow('iot:GetThingShadow', `${ARN}:thing/*`))]), ['ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS']);
    assert.deepEqual(grantsFor([doc(allow(['iot:Publish', 'iot:Subscribe', 'iot:Connect']))], 'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS'), [
      'iot:Subscribe',
      'iot:Connect',
      'iot:Publish',
    ]);
    // Pinned to the device: compliant.
    const pinned = doc(
      allow('iot:Connect', `${ARN}:client/\${iot:Connection.Thing.ThingName}`),
      allow('iot:Publish', `${ARN}:topic/$aws/things/\${iot:Connection.Thing.ThingName}/shadow/*`),
      allow('iot:Receive', `${ARN}:topic/$aws/things/*`),
    );
    assert.deepEqual(codes([pinned]), []);
  });

  test('iot:* on everything earns every IoT code, and admin on IoT when IoT was used', () => {
    assert.deepEqual(codes([doc(allow('iot:*'))], used('iot')), [
      'ALLOWS_BROAD_ACCESS_TO_USED_SERVICES',
      'ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS',
      'ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS',
      'ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS',
      'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS',
    ]);
  });

  test('NotAction in an Allow grants everything not listed', () => {
    const c = codes([doc({ Effect: 'Allow', NotAction: ['iam:*', 'cloudtrail:*', 'guardduty:*', 'inspector:*', 'inspector2:*', 'trustedadvisor:*', 'iot:*'], Resource: '*' })], used('s3'));
    assert.deepEqual(c, ['ALLOWS_BROAD_ACCESS_TO_USED_SERVICES']);
  });

  test('an unconditional Deny takes a grant away; a conditional or narrower one does not', () => {
    assert.deepEqual(codes([doc(allow('iam:*')), doc(deny('iam:*'))]), []);
    assert.deepEqual(codes([doc(allow('iot:CreateThing'), deny('iot:CreateThing'))]), []);
    assert.deepEqual(codes([doc(allow('iot:CreateThing'), deny('iot:CreateThing', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }))]), [
      'ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS',
    ]);
    assert.deepEqual(codes([doc(allow('iot:CreateThing'), deny('iot:CreateThing', `${ARN}:thing/one`))]), ['ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS']);
    assert.deepEqual(codes([doc(allow('iot:GetThingShadow', `${ARN}:thing/*`), deny('iot:GetThingShadow'))]), []);
  });

  test('reason texts list what was granted, at most ten entries', () => {
    const [v] = overlyPermissive(parseRole([doc(allow(['iam:PassRole']))]), used());
    assert.equal(verdictText(v), 'Role allows access to security auditing services: [iam].');
    assert.equal(listText(Array.from({ length: 12 }, (_, i) => `a${i}`)), '[a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, and 2 more]');
  });
});

describe('unused services', () => {
  test('granted services minus the ones used in the past year; "*" when the role grants every service', () => {
    const role = parseRole([doc(allow(['iot:Publish', 'dynamodb:PutItem']), allow('iam:GetRole'))]);
    assert.deepEqual(grantedServices(role), ['dynamodb', 'iam', 'iot']);
    assert.deepEqual(unusedServices(role, used('iot')), ['dynamodb', 'iam']);
    assert.deepEqual(unusedServices(role, used('iot', 'dynamodb', 'iam')), []);
    assert.deepEqual(unusedServices(parseRole([doc(allow('*'))]), used('iot')), ['*']);
    assert.deepEqual(unusedServices(parseRole([doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })]), used('iot')), ['*']);
    assert.deepEqual(unusedServices(parseRole([doc(allow('s3:GetObject'), deny('s3:*'))]), used()), []);
    assert.deepEqual(unusedServices(parseRole([]), used()), []);
  });

  test('usedInLastYear keeps uses within 365 days of the audit, and uses without a date', () => {
    const now = new Date('2025-06-01T00:00:00Z');
    const set = usedInLastYear(
      [
        { service: 'S3', lastUsed: now.getTime() - YEAR_MS },
        { service: 'sqs', lastUsed: now.getTime() - YEAR_MS - 1 },
        { service: 'iot' },
      ],
      now,
    );
    assert.deepEqual([...set].sort(), ['iot', 's3']);
  });

  test('the not-registered message names the aliases and their roles, twenty at most', () => {
    const one = notRegisteredMessage([{ alias: 'cam', roleArn: 'arn:aws:iam::123456789012:role/cam' }]);
    assert.equal(one, '1 role alias not checked: Warden does not know the IAM role (register it with POST /_warden/iam-roles): cam (arn:aws:iam::123456789012:role/cam).');
    const many = notRegisteredMessage(Array.from({ length: 23 }, (_, i) => ({ alias: `a${i}`, roleArn: 'r' })));
    assert.match(many, /^23 role aliases not checked/);
    assert.match(many, /a19 \(r\), and 3 more\.$/);
  });
});
