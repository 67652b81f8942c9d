// UPDATE_DEVICE_CERTIFICATE, UPDATE_CA_CERTIFICATE, REPLACE_DEFAULT_POLICY_VERSION and
// ENABLE_IOT_LOGGING on both backends: each effect read back through the public API, each
// FAILED errorCode case, and the one place that maps registry errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetV2LoggingOptionsCommand,
  ListPolicyVersionsCommand,
  RegisterCACertificateCommand,
  SetV2LoggingOptionsCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { actionHandlers } from '../../src/actions/index.js';
import { applyEffect } from '../../src/actions/outcome.js';
import { BLANK_POLICY_DOCUMENT } from '../../src/actions/replace-default-policy-version.js';
import { CertificateStateException, InternalFailureException, ResourceNotFoundException, VersionsLimitExceededException } from '../../src/generated/errors.js';
import { ThingGroupLimitError } from '../../src/registry/things.js';
import { BACKENDS } from '../harness.js';
import { makeCa } from '../operations/certificates-helpers.js';
import { act, assertFailed, type Bench, def, finding, inProcess, missingCertificateId, newCertificate, unique, violation } from './actions-helpers.js';

const DEACTIVATE = { action: 'DEACTIVATE' as const };
const BLANK = { templateName: 'BLANK_POLICY' as const };
const DOC = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

describe('applyEffect maps registry errors in one place', () => {
  test('not found, refused states, success messages; anything else is rethrown', async () => {
    assert.deepEqual(await applyEffect(async () => undefined), { status: 'SUCCEEDED' });
    assert.deepEqual(await applyEffect(async () => 'done'), { status: 'SUCCEEDED', message: 'done' });
    assert.deepEqual(await applyEffect(async () => { throw new ResourceNotFoundException('Thing x does not exist.'); }), { status: 'FAILED', errorCode: 'RESOURCE_NOT_FOUND', message: 'Thing x does not exist.' });
    for (const e of [new CertificateStateException('revoked'), new VersionsLimitExceededException('five'), new ThingGroupLimitError('ten')]) {
      const o = await applyEffect(async () => { throw e; });
      assert.deepEqual(o, { status: 'FAILED', errorCode: 'INVALID_STATE_OF_RESOURCE', message: e.message });
    }
    await assert.rejects(applyEffect(async () => { throw new InternalFailureException('boom'); }), /boom/);
    await assert.rejects(applyEffect(async () => { throw new TypeError('bug'); }), TypeError);
  });
});

for (const backend of BACKENDS) {
  describe(`certificate, policy and logging actions (${backend})`, () => {
    let b: Bench;
    before(async () => {
      b = await inProcess(backend);
    });
    after(async () => {
      await b?.close();
    });
    const describeCert = async (id: string) => (await b.client.send(new DescribeCertificateCommand({ certificateId: id }))).certificateDescription!;

    test('UPDATE_DEVICE_CERTIFICATE makes the finding\'s certificate INACTIVE; again is still COMPLETED', async () => {
      const cert = await newCertificate(b.client);
      const before = await describeCert(cert.id);
      assert.equal(before.status, 'ACTIVE');
      const action = def({ updateDeviceCertificateParams: DEACTIVATE });
      assert.deepEqual(await act(b, actionHandlers, 'UPDATE_DEVICE_CERTIFICATE', action, finding({ deviceCertificateId: cert.id })), { status: 'SUCCEEDED' });
      const after = await describeCert(cert.id);
      assert.equal(after.status, 'INACTIVE');
      assert.notEqual(after.generationId, before.generationId);
      assert.deepEqual(await act(b, actionHandlers, 'UPDATE_DEVICE_CERTIFICATE', action, finding({ deviceCertificateId: cert.id.toUpperCase() })), { status: 'SUCCEEDED' });
      assert.equal((await describeCert(cert.id)).generationId, after.generationId, 'already INACTIVE: nothing changes');
    });

    test('UPDATE_DEVICE_CERTIFICATE: REVOKED is INVALID_STATE_OF_RESOURCE, missing RESOURCE_NOT_FOUND, no deviceCertificateId RESOURCE_NOT_IN_FINDING', async () => {
      const cert = await newCertificate(b.client);
      await b.client.send(new UpdateCertificateCommand({ certificateId: cert.id, newStatus: 'REVOKED' }));
      const action = def({ updateDeviceCertificateParams: DEACTIVATE });
      assertFailed(await act(b, actionHandlers, 'UPDATE_DEVICE_CERTIFICATE', action, finding({ deviceCertificateId: cert.id })), 'INVALID_STATE_OF_RESOURCE', /REVOKED/);
      assert.equal((await describeCert(cert.id)).status, 'REVOKED');
      const missing = missingCertificateId();
      assertFailed(await act(b, actionHandlers, 'UPDATE_DEVICE_CERTIFICATE', action, finding({ deviceCertificateId: missing })), 'RESOURCE_NOT_FOUND', new RegExp(missing));
      const f = finding({ caCertificateId: missing }, { findingId: 'f-without-device-cert' });
      assertFailed(await act(b, actionHandlers, 'UPDATE_DEVICE_CERTIFICATE', action, f), 'RESOURCE_NOT_IN_FINDING', /deviceCertificateId.*finding f-without-device-cert/);
      assertFailed(await act(b, actionHandlers, 'UPDATE_DEVICE_CERTIFICATE', action, violation('thing')), 'RESOURCE_NOT_IN_FINDING', /deviceCertificateId/);
    });

    test('UPDATE_CA_CERTIFICATE makes the CA certificate INACTIVE; missing is RESOURCE_NOT_FOUND; no caCertificateId RESOURCE_NOT_IN_FINDING', async () => {
      const ca = await makeCa();
      const r = await b.client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, certificateMode: 'SNI_ONLY', setAsActive: true }));
      const id = r.certificateId!;
      const action = def({ updateCACertificateParams: DEACTIVATE });
      const describe = async () => (await b.client.send(new DescribeCACertificateCommand({ certificateId: id }))).certificateDescription!;
      assert.equal((await describe()).status, 'ACTIVE');
      assert.deepEqual(await act(b, actionHandlers, 'UPDATE_CA_CERTIFICATE', action, finding({ caCertificateId: id })), { status: 'SUCCEEDED' });
      const inactive = await describe();
      assert.equal(inactive.status, 'INACTIVE');
      assert.deepEqual(await act(b, actionHandlers, 'UPDATE_CA_CERTIFICATE', action, finding({ caCertificateId: id })), { status: 'SUCCEEDED' });
      assert.equal((await describe()).customerVersion, inactive.customerVersion);
      const missing = missingCertificateId();
      assertFailed(await act(b, actionHandlers, 'UPDATE_CA_CERTIFICATE', action, finding({ caCertificateId: missing })), 'RESOURCE_NOT_FOUND', new RegExp(missing));
      assertFailed(await act(b, actionHandlers, 'UPDATE_CA_CERTIFICATE', action, finding({ deviceCertificateId: id })), 'RESOURCE_NOT_IN_FINDING', /caCertificateId/);
    });

    test('REPLACE_DEFAULT_POLICY_VERSION adds the blank policy as the new default version', async () => {
      const policyName = unique('policy');
      await b.client.send(new CreatePolicyCommand({ policyName, policyDocument: DOC('iot:*') }));
      const action = def({ replaceDefaultPolicyVersionParams: BLANK });
      const o = await act(b, actionHandlers, 'REPLACE_DEFAULT_POLICY_VERSION', action, finding({ policyVersionIdentifier: { policyName, policyVersionId: '1' } }));
      assert.equal(o.status, 'SUCCEEDED');
      assert.match(o.message ?? '', new RegExp(`${policyName}.*version 2`));
      const p = await b.client.send(new GetPolicyCommand({ policyName }));
      assert.equal(p.defaultVersionId, '2');
      assert.deepEqual(JSON.parse(p.policyDocument!), JSON.parse(BLANK_POLICY_DOCUMENT));
      assert.deepEqual(JSON.parse(BLANK_POLICY_DOCUMENT), { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:*', Resource: '*' }] });
      const v1 = await b.client.send(new GetPolicyVersionCommand({ policyName, policyVersionId: '1' }));
      assert.equal(v1.isDefaultVersion, false);
      assert.deepEqual(JSON.parse(v1.policyDocument!), JSON.parse(DOC('iot:*')));
    });

    test('REPLACE_DEFAULT_POLICY_VERSION: five versions is INVALID_STATE_OF_RESOURCE and no version is deleted; missing policy RESOURCE_NOT_FOUND', async () => {
      const policyName = unique('policy');
      await b.client.send(new CreatePolicyCommand({ policyName, policyDocument: DOC('iot:Connect') }));
      for (let i = 0; i < 4; i++) await b.client.send(new CreatePolicyVersionCommand({ policyName, policyDocument: DOC(`iot:Publish${i}`) }));
      const action = def({ replaceDefaultPolicyVersionParams: BLANK });
      assertFailed(await act(b, actionHandlers, 'REPLACE_DEFAULT_POLICY_VERSION', action, finding({ policyVersionIdentifier: { policyName } })), 'INVALID_STATE_OF_RESOURCE', new RegExp(`^The policy ${policyName} already has the maximum number of versions \\(5\\)$`));
      const versions = (await b.client.send(new ListPolicyVersionsCommand({ policyName }))).policyVersions!;
      assert.deepEqual(versions.map((v) => v.versionId).sort(), ['1', '2', '3', '4', '5']);
      assert.equal((await b.client.send(new GetPolicyCommand({ policyName }))).defaultVersionId, '1');
      assertFailed(await act(b, actionHandlers, 'REPLACE_DEFAULT_POLICY_VERSION', action, finding({ policyVersionIdentifier: { policyName: 'no-such-policy' } })), 'RESOURCE_NOT_FOUND', /no-such-policy/);
      assertFailed(await act(b, actionHandlers, 'REPLACE_DEFAULT_POLICY_VERSION', action, finding({ policyVersionIdentifier: { policyVersionId: '1' } })), 'RESOURCE_NOT_IN_FINDING', /policyVersionIdentifier\.policyName/);
      assertFailed(await act(b, actionHandlers, 'REPLACE_DEFAULT_POLICY_VERSION', action, finding({ deviceCertificateId: missingCertificateId() })), 'RESOURCE_NOT_IN_FINDING', /policyVersionIdentifier/);
    });

    test('ENABLE_IOT_LOGGING sets the v2 options: the role and level of the action, disableAllLogs false', async () => {
      await b.client.send(
        new SetV2LoggingOptionsCommand({ roleArn: 'arn:aws:iam::000000000000:role/old', defaultLogLevel: 'ERROR', disableAllLogs: true }),
      );
      const roleArnForLogging = 'arn:aws:iam::000000000000:role/iot-logging';
      const action = def({ enableIoTLoggingParams: { roleArnForLogging, logLevel: 'WARN' } });
      assert.deepEqual(await act(b, actionHandlers, 'ENABLE_IOT_LOGGING', action, finding({ account: '000000000000' })), { status: 'SUCCEEDED' });
      const o = await b.client.send(new GetV2LoggingOptionsCommand({}));
      assert.equal(o.roleArn, roleArnForLogging);
      assert.equal(o.defaultLogLevel, 'WARN');
      assert.equal(o.disableAllLogs, false);
    });
  });
}
