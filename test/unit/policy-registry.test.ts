import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/base/clock.js';
import { getLoggingState, setV1LoggingOptions, setV2LoggingOptions } from '../../src/registry/logging.js';
import { attachPolicy, createPolicy, createPolicyVersion, detachPolicy, validatePolicyDocument } from '../../src/registry/policies.js';
import type { Store } from '../../src/store/store.js';
import { BACKENDS, useStore } from '../harness.js';

const BLANK = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iot:*","Resource":"*"}]}';
const ALLOW = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]}';
const COGNITO = 'us-east-1:11111111-2222-3333-4444-555555555555';

test('validatePolicyDocument accepts the blank policy of REPLACE_DEFAULT_POLICY_VERSION and names what is wrong otherwise', () => {
  validatePolicyDocument(BLANK);
  assert.throws(() => validatePolicyDocument('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}'), {
    name: 'MalformedPolicyException',
    message: /Statement\[0\]\.Action must be a string or a non-empty array of strings/,
  });
  assert.throws(() => validatePolicyDocument('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*","Condition":[]}]}'), {
    message: /Condition must be a JSON object/,
  });
});

for (const backend of BACKENDS) {
  describe(`policy and logging registry paths for the mitigation engine (${backend})`, () => {
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    const scope = { accountId: '000000000000', region: 'us-east-1', clock };
    let store: Store;
    useStore(backend, 'warden-policy-', (s) => (store = s));

    test('createPolicyVersion with the blank document and setAsDefault, up to the five-version limit', async () => {
      await store.reset();
      await store.transaction((tx) => createPolicy(tx, scope, { policyName: 'p', document: ALLOW }));
      clock.advance(60_000);
      const v = await store.transaction((tx) => createPolicyVersion(tx, scope, { policyName: 'p', document: BLANK, setAsDefault: true }));
      assert.deepEqual(v, { versionId: '2', policyArn: 'arn:aws:iot:us-east-1:000000000000:policy/p', isDefaultVersion: true });
      const p = await store.repos.policies.get(scope, 'p');
      assert.equal(p!.defaultVersionId, '2');
      assert.equal(p!.modifiedAt.toISOString(), '2026-03-01T10:01:00.000Z', 'time comes from the injected clock');
      const [doc] = await store.repos.policies.withDefaultDocuments(scope, ['p']);
      assert.equal(doc.document, BLANK);
      for (let i = 0; i < 3; i++) await store.transaction((tx) => createPolicyVersion(tx, scope, { policyName: 'p', document: BLANK }));
      await assert.rejects(
        store.transaction((tx) => createPolicyVersion(tx, scope, { policyName: 'p', document: BLANK, setAsDefault: true })),
        { name: 'VersionsLimitExceededException' },
      );
      assert.equal((await store.repos.policies.listVersions(scope, 'p')).length, 5, 'the failed transaction wrote nothing');
    });

    test('attachPolicy and detachPolicy: idempotent attach, ten per target, detach of nothing is false', async () => {
      await store.reset();
      for (let i = 0; i < 11; i++) await store.transaction((tx) => createPolicy(tx, scope, { policyName: `p${i}`, document: ALLOW }));
      for (let i = 0; i < 10; i++) await store.transaction((tx) => attachPolicy(tx, scope, `p${i}`, COGNITO));
      await store.transaction((tx) => attachPolicy(tx, scope, 'p0', COGNITO));
      assert.equal(await store.repos.policyTargets.countForTarget(scope, COGNITO), 10);
      await assert.rejects(store.transaction((tx) => attachPolicy(tx, scope, 'p10', COGNITO)), { name: 'LimitExceededException' });
      assert.equal(await store.transaction((tx) => detachPolicy(tx, scope, 'p0', COGNITO)), true);
      assert.equal(await store.transaction((tx) => detachPolicy(tx, scope, 'p0', COGNITO)), false);
      await store.transaction((tx) => attachPolicy(tx, scope, 'p10', COGNITO));
      await assert.rejects(store.transaction((tx) => attachPolicy(tx, scope, 'missing', COGNITO)), { name: 'ResourceNotFoundException' });
    });

    test('getLoggingState reports v1 and v2 separately; setV2LoggingOptions is what ENABLE_IOT_LOGGING does', async () => {
      await store.reset();
      assert.deepEqual(await getLoggingState(store.repos, scope), { v1: undefined, v2: undefined, v1Enabled: false, v2Enabled: false });
      await store.transaction((tx) => setV1LoggingOptions(tx, scope, { roleArn: 'arn:aws:iam::000000000000:role/l', logLevel: 'DISABLED' }));
      let state = await getLoggingState(store.repos, scope);
      assert.equal(state.v1?.logLevel, 'DISABLED');
      assert.equal(state.v1Enabled, false);
      await store.transaction((tx) => setV2LoggingOptions(tx, scope, { roleArn: 'arn:aws:iam::000000000000:role/l', defaultLogLevel: 'ERROR', disableAllLogs: false }));
      state = await getLoggingState(store.repos, scope);
      assert.deepEqual(state.v2, {
        roleArn: 'arn:aws:iam::000000000000:role/l',
        defaultLogLevel: 'ERROR',
        disableAllLogs: false,
        eventConfigurations: undefined,
        updatedAt: clock.now(),
      });
      assert.equal(state.v2Enabled, true);
      await store.transaction((tx) => setV2LoggingOptions(tx, scope, { roleArn: 'arn:aws:iam::000000000000:role/l', defaultLogLevel: 'ERROR', disableAllLogs: true }));
      assert.equal((await getLoggingState(store.repos, scope)).v2Enabled, false);
      assert.equal((await getLoggingState(store.repos, { accountId: '000000000000', region: 'eu-west-1' })).v2, undefined);
    });
  });
}
