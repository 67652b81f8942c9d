// The role-alias checks and the Cognito checks, both backends: role aliases created through the
// real API (CreateRoleAlias with @aws-sdk/client-iot against an in-process server), IAM roles
// registered through the signed POST /_warden/iam-roles, each check's run() against the store.
// Each scenario uses its own region, so its scope starts empty.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateRoleAliasCommand, UpdateRoleAliasCommand } from '@aws-sdk/client-iot';
import type { CheckContext, CheckFinding } from '../../src/audit/check.js';
import { authenticatedCognitoRoleOverlyPermissive } from '../../src/audit/checks/authenticated-cognito-role-overly-permissive.js';
import { iotRoleAliasAllowsAccessToUnusedServices } from '../../src/audit/checks/iot-role-alias-allows-access-to-unused-services.js';
import { iotRoleAliasOverlyPermissive } from '../../src/audit/checks/iot-role-alias-overly-permissive.js';
import { unauthenticatedCognitoRoleOverlyPermissive } from '../../src/audit/checks/unauthenticated-cognito-role-overly-permissive.js';
import { BACKENDS, raw } from '../harness.js';
import { assertInvalid, post } from '../operations/findings-helpers.js';
import { assertRegistered, ok, useCheckServer } from './check-harness.js';

const ACCOUNT = '000000000000';
const DAY_S = 24 * 3600;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*') => ({ Effect: 'Allow', Action, Resource });

/** "aliasArn code" keys of the findings, sorted. */
const keys = (findings: CheckFinding[]): string[] => findings.map((f) => `${f.resourceIdentifier.roleAliasArn} ${f.reasonForNonComplianceCode}`).sort();

test('the four checks are registered with their severities', () =>
  assertRegistered(
    [iotRoleAliasOverlyPermissive, 'IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK:CRITICAL'],
    [iotRoleAliasAllowsAccessToUnusedServices, 'IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK:MEDIUM'],
    // The Cognito checks' severities were never part of this test.
    [authenticatedCognitoRoleOverlyPermissive, 'AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK'],
    [unauthenticatedCognitoRoleOverlyPermissive, 'UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK'],
  ));

for (const backend of BACKENDS) {
  describe(`role alias and Cognito audit checks (${backend})`, () => {
    const w = useCheckServer(backend, 'roles', { taskId: 'roles-audit' });
    const { clock, client } = w;
    const ctx = (region: string): CheckContext => w.checkContext(region);
    const registerRoles = async (region: string, roles: unknown[]) => {
      const r = await post(w.url, '/_warden/iam-roles', { roles }, { region });
      assert.equal(r.status, 200, r.text);
      return r.json as { roleArns: string[] };
    };
    const alias = async (region: string, name: string, roleArn: string): Promise<string> =>
      (await client(region).send(new CreateRoleAliasCommand({ roleAlias: name, roleArn }))).roleAliasArn!;

    test('overly permissive: one finding per alias and reason code, the role as related IAM_ROLE; unknown roles listed, not counted', async () => {
      const region = 'eu-west-1';
      const now = Math.floor(clock.now().getTime() / 1000);
      const answer = await registerRoles(region, [
        { roleArn: role('admin'), policyDocuments: [doc(allow(['iot:*', 's3:*']))], servicesUsed: [{ service: 'iot', lastUsed: now - DAY_S }, { service: 's3' }] },
        { roleArn: role('auditor'), policyDocuments: [JSON.stringify(doc(allow('cloudtrail:LookupEvents')))] },
        {
          roleArn: role('scoped'),
          policyDocuments: [doc(allow('s3:PutObject', 'arn:aws:s3:::telemetry/${credentials-iot:ThingName}/*')), doc(allow('iot:DescribeThing', `arn:aws:iot:${region}:${ACCOUNT}:thing/MyThing*`))],
          servicesUsed: [{ service: 's3', lastUsed: now - 10 * DAY_S }],
        },
      ]);
      assert.deepEqual(answer, { roleArns: [role('admin'), role('auditor'), role('scoped')] });
      const admin = await alias(region, 'admin-alias', role('admin'));
      const admin2 = await alias(region, 'admin-alias-2', role('admin'));
      const auditor = await alias(region, 'auditor-alias', role('auditor'));
      await alias(region, 'scoped-alias', role('scoped'));
      await alias(region, 'ghost-alias', role('ghost'));

      const r = ok(await iotRoleAliasOverlyPermissive.run(ctx(region)));
      const adminCodes = [
        'ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS',
        'ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS',
        'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS',
        'ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS',
        'ALLOWS_BROAD_ACCESS_TO_USED_SERVICES',
      ];
      assert.deepEqual(keys(r.findings), [...adminCodes.map((c) => `${admin} ${c}`), ...adminCodes.map((c) => `${admin2} ${c}`), `${auditor} ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES`].sort());
      assert.equal(r.totalResourcesCount, 4, 'the alias of an unknown role is not counted');
      assert.equal(r.errorCode, 'ROLE_NOT_REGISTERED');
      assert.match(r.message!, /^1 role alias not checked: .*ghost-alias \(arn:aws:iam::000000000000:role\/ghost\)\.$/);

      const used = r.findings.find((f) => f.resourceIdentifier.roleAliasArn === admin && f.reasonForNonComplianceCode === 'ALLOWS_BROAD_ACCESS_TO_USED_SERVICES')!;
      assert.equal(used.resourceType, 'ROLE_ALIAS');
      assert.deepEqual(used.resourceIdentifier, { roleAliasArn: `arn:aws:iot:${region}:${ACCOUNT}:rolealias/admin-alias` });
      assert.deepEqual(used.relatedResources, [{ resourceType: 'IAM_ROLE', resourceIdentifier: { iamRoleArn: role('admin') } }]);
      assert.equal(used.reasonForNonCompliance, 'Role allows administrative access to services used in the past year: [iot:*, s3:*].');
      const audit = r.findings.find((f) => f.resourceIdentifier.roleAliasArn === auditor)!;
      assert.equal(audit.reasonForNonCompliance, 'Role allows access to security auditing services: [cloudtrail].');
    });

    test('registering a role again replaces it, and an alias moved to another role is judged by that role', async () => {
      const region = 'eu-west-2';
      await registerRoles(region, [{ roleArn: role('r1'), policyDocuments: [doc(allow('iot:CreateThing'))] }]);
      const a = await alias(region, 'cam', role('r1'));
      assert.deepEqual(keys(ok(await iotRoleAliasOverlyPermissive.run(ctx(region))).findings), [`${a} ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS`]);
      await registerRoles(region, [{ roleArn: role('r1'), policyDocuments: [doc(allow('iot:Publish', `arn:aws:iot:${region}:${ACCOUNT}:topic/telemetry/\${credentials-iot:ThingName}`))] }]);
      const fixed = ok(await iotRoleAliasOverlyPermissive.run(ctx(region)));
      assert.deepEqual(fixed.findings, []);
      assert.equal(fixed.totalResourcesCount, 1);
      assert.equal(fixed.message, undefined);
      assert.equal(fixed.errorCode, undefined);
      await client(region).send(new UpdateRoleAliasCommand({ roleAlias: 'cam', roleArn: role('unregistered') }));
      const moved = ok(await iotRoleAliasOverlyPermissive.run(ctx(region)));
      assert.equal(moved.totalResourcesCount, 0);
      assert.equal(moved.errorCode, 'ROLE_NOT_REGISTERED');
    });

    test('unused services: granted services not used in the year before the audit, "*" for a role granting every service', async () => {
      const region = 'ap-south-1';
      const nowS = Math.floor(clock.now().getTime() / 1000);
      await registerRoles(region, [
        {
          roleArn: role('device'),
          policyDocuments: [doc(allow(['iot:Publish', 's3:GetObject', 'dynamodb:PutItem'], 'arn:aws:s3:::b/x'))],
          servicesUsed: [
            { service: 'iot', lastUsed: nowS - 30 * DAY_S },
            { service: 's3', lastUsed: nowS - 400 * DAY_S },
          ],
        },
        { roleArn: role('tidy'), policyDocuments: [doc(allow(['iot:Publish', 's3:GetObject'], 'arn:aws:s3:::b/x'))], servicesUsed: [{ service: 'IOT' }, { service: 's3', lastUsed: nowS - 364 * DAY_S }] },
        { roleArn: role('everything'), policyDocuments: [doc(allow('*'))], servicesUsed: [{ service: 'iot' }] },
        { roleArn: role('nothing'), policyDocuments: [] },
      ]);
      const device = await alias(region, 'device', role('device'));
      await alias(region, 'tidy', role('tidy'));
      const everything = await alias(region, 'everything', role('everything'));
      await alias(region, 'nothing', role('nothing'));
      await alias(region, 'unknown', role('unknown'));

      const r = ok(await iotRoleAliasAllowsAccessToUnusedServices.run(ctx(region)));
      assert.equal(r.totalResourcesCount, 4);
      assert.equal(r.errorCode, 'ROLE_NOT_REGISTERED');
      assert.match(r.message!, /unknown \(arn:aws:iam::000000000000:role\/unknown\)/);
      const byAlias = Object.fromEntries(r.findings.map((f) => [f.resourceIdentifier.roleAliasArn, f]));
      assert.deepEqual(Object.keys(byAlias).sort(), [device, everything].sort());
      assert.equal(byAlias[device].reasonForNonComplianceCode, 'ALLOWS_ACCESS_TO_UNUSED_SERVICES');
      assert.equal(byAlias[device].reasonForNonCompliance, 'Role allows access to services not used in the past year: [dynamodb, s3].');
      assert.deepEqual(byAlias[device].relatedResources, [{ resourceType: 'IAM_ROLE', resourceIdentifier: { iamRoleArn: role('device') } }]);
      assert.equal(byAlias[everything].reasonForNonCompliance, 'Role allows access to services not used in the past year: [*].');

      // A year later nothing counts as recent except uses without a date.
      const later: CheckContext = { ...ctx(region), now: new Date(clock.now().getTime() + 366 * DAY_S * 1000) };
      const r2 = ok(await iotRoleAliasAllowsAccessToUnusedServices.run(later));
      const tidy = r2.findings.find((f) => f.resourceIdentifier.roleAliasArn?.endsWith('/tidy'));
      assert.equal(tidy?.reasonForNonCompliance, 'Role allows access to services not used in the past year: [s3].');
    });

    test('with no role aliases both checks are compliant over zero resources', async () => {
      for (const check of [iotRoleAliasOverlyPermissive, iotRoleAliasAllowsAccessToUnusedServices]) {
        assert.deepEqual(await check.run(ctx('sa-east-1')), { status: 'evaluated', totalResourcesCount: 0, findings: [] });
      }
    });

    test('the Cognito checks answer FAILED with CHECK_NOT_SUPPORTED and the reason, never compliant', async () => {
      for (const check of [authenticatedCognitoRoleOverlyPermissive, unauthenticatedCognitoRoleOverlyPermissive]) {
        const r = await check.run(ctx('us-east-1'));
        assert.equal(r.status, 'failed');
        assert.equal(r.errorCode, 'CHECK_NOT_SUPPORTED');
        assert.match(r.message!, /^Warden has no Amazon Cognito identity pools to audit; /);
      }
      assert.equal(authenticatedCognitoRoleOverlyPermissive.severity, 'CRITICAL');
      assert.equal(unauthenticatedCognitoRoleOverlyPermissive.severity, 'CRITICAL');
    });

    test('POST /_warden/iam-roles refuses bad bodies with InvalidRequestException naming the field, and stores nothing', async () => {
      const region = 'ca-central-1';
      const send = (body: unknown) => post(w.url, '/_warden/iam-roles', body, { region });
      assertInvalid(await send({}), "'roles'", 'Member must not be null');
      assertInvalid(await send([]), 'body', 'must be a JSON object');
      assertInvalid(await send({ roles: 'x' }), "'roles'", 'Member must be a list');
      assertInvalid(await send({ roles: [] }), "'roles'", 'length between 1 and 1000');
      assertInvalid(await send({ roles: [{ roleArn: 'not-an-arn', policyDocuments: [] }] }), "'roles.1.member.roleArn'", 'IAM role ARN');
      assertInvalid(await send({ roles: [{ roleArn: role('x') }] }), "'roles.1.member.policyDocuments'");
      assertInvalid(
        await send({ roles: [{ roleArn: role('x'), policyDocuments: [doc(allow('iot:Connect')), doc({ Effect: 'Permit', Action: '*', Resource: '*' })] }] }),
        "'roles.1.member.policyDocuments.2.member'",
        'Statement.1.Effect must be Allow or Deny',
      );
      assertInvalid(await send({ roles: [{ roleArn: role('x'), policyDocuments: ['{not json'] }] }), "'roles.1.member.policyDocuments.1.member'", 'not valid JSON');
      assertInvalid(await send({ roles: [{ roleArn: role('x'), policyDocuments: [], servicesUsed: [{ service: 'S 3' }] }] }), "'roles.1.member.servicesUsed.1.member.service'");
      assertInvalid(await send({ roles: [{ roleArn: role('x'), policyDocuments: [], servicesUsed: [{ service: 's3', lastUsed: 'yesterday' }] }] }), "'roles.1.member.servicesUsed.1.member.lastUsed'", 'epoch seconds');
      assertInvalid(
        await send({ roles: [{ roleArn: role('x'), policyDocuments: [] }, { roleArn: role('x'), policyDocuments: [] }] }),
        "'roles.2.member.roleArn'",
        'must not repeat',
      );
      // All or nothing: a good role next to a bad one is not stored either.
      assertInvalid(await send({ roles: [{ roleArn: role('good'), policyDocuments: [] }, { roleArn: role('bad'), policyDocuments: [42] }] }), "'roles.2.member.policyDocuments.1.member'");
      await alias(region, 'good-alias', role('good'));
      const r = ok(await iotRoleAliasOverlyPermissive.run(ctx(region)));
      assert.equal(r.totalResourcesCount, 0);
      assert.equal(r.errorCode, 'ROLE_NOT_REGISTERED');
      // Unsigned requests are refused.
      const unsigned = await raw(w.url, { method: 'POST', path: '/_warden/iam-roles', body: JSON.stringify({ roles: [{ roleArn: role('good'), policyDocuments: [] }] }), unsigned: true });
      assert.notEqual(unsigned.status, 200);
    });
  });
}
