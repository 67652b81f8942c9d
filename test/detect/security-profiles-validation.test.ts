// Behavior validation on the wire, both backends: ValidateSecurityProfileBehaviors answers valid and
// validationErrors; CreateSecurityProfile and UpdateSecurityProfile refuse the same behaviors with
// InvalidRequestException naming the behavior and the field, and store nothing. Custom metrics and
// dimensions of the account count; those of another region do not. (Every rule on its own is in
// behaviors.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateCustomMetricCommand,
  CreateDimensionCommand,
  CreateSecurityProfileCommand,
  DescribeSecurityProfileCommand,
  ListSecurityProfilesCommand,
  UpdateSecurityProfileCommand,
  ValidateSecurityProfileBehaviorsCommand,
  type Behavior,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running, assertFails as failure } from '../harness.js';
import { authFailures, bytesOut } from './fixtures.js';

/** A list of behaviors with one problem each, and the words that must name it. */
const BAD: [Behavior, RegExp][] = [
  [{ name: 'unknown', metric: 'aws:all-bytes' }, /Behavior unknown is malformed\. metric aws:all-bytes is not a Device Defender metric/],
  [{ name: 'op', metric: 'aws:num-disconnects', criteria: { comparisonOperator: 'in-port-set', value: { count: 1 }, durationSeconds: 300 } }, /Behavior op is malformed\. criteria\.comparisonOperator in-port-set cannot be used with aws:num-disconnects/],
  [{ name: 'dur', metric: 'aws:num-messages-sent', criteria: { comparisonOperator: 'greater-than', value: { count: 1 }, durationSeconds: 120 } }, /Behavior dur is malformed\. criteria\.durationSeconds 120 should be one of \[300, 600, 900, 1800, 3600\]/],
  [{ name: 'kind', metric: 'aws:source-ip-address', criteria: { comparisonOperator: 'in-cidr-set', value: { count: 1 } } }, /Behavior kind is malformed\. criteria\.value of aws:source-ip-address takes cidrs only, not count/],
  [{ name: 'stat', metric: 'aws:listening-tcp-ports', criteria: { comparisonOperator: 'in-port-set', statisticalThreshold: { statistic: 'p90' } } }, /Behavior stat is malformed\. criteria\.statisticalThreshold cannot be used with aws:listening-tcp-ports/],
  [{ name: 'ml', metric: 'aws:source-ip-address', criteria: { mlDetectionConfig: { confidenceLevel: 'HIGH' } } }, /Behavior ml is malformed\. criteria\.mlDetectionConfig cannot be used with aws:source-ip-address/],
  [{ name: 'mlop', metric: 'aws:num-disconnects', criteria: { mlDetectionConfig: { confidenceLevel: 'HIGH' }, comparisonOperator: 'greater-than' } }, /Behavior mlop is malformed\. criteria\.mlDetectionConfig cannot be combined with criteria\.comparisonOperator/],
  [{ name: 'dim', metric: 'aws:num-messages-sent', metricDimension: { dimensionName: 'ghost' } }, /Behavior dim is malformed\. metricDimension\.dimensionName ghost is not a dimension/],
  [{ name: 'dimmetric', metric: 'aws:num-disconnects', metricDimension: { dimensionName: 'admin' } }, /Behavior dimmetric is malformed\. metricDimension cannot be used with aws:num-disconnects/],
  [{ name: 'custom', metric: 'battery', criteria: { comparisonOperator: 'greater-than', value: { number: 1 } } }, /Behavior custom is malformed\. metric battery is neither an aws: metric nor a custom metric/],
];

for (const backend of BACKENDS) {
  describe(`behavior validation through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    const send = <T>(c: T) => client.send(c as never) as Promise<any>;
    const validate = (behaviors: Behavior[]) => send(new ValidateSecurityProfileBehaviorsCommand({ behaviors }));
    const create = (securityProfileName: string, behaviors: Behavior[]) => send(new CreateSecurityProfileCommand({ securityProfileName, behaviors }));
    const profiles = async () => (await send(new ListSecurityProfilesCommand({}))).securityProfileIdentifiers.map((p: any) => p.name);

    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test("ValidateSecurityProfileBehaviors: valid behaviors answer valid and no errors (the AWS CLI's example)", async () => {
      await reset(server.url);
      const r = await validate([
        { name: 'CellularBandwidth', metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'greater-than', value: { count: 128 }, consecutiveDatapointsToAlarm: 1, consecutiveDatapointsToClear: 1 } },
        { name: 'Authorization', metric: 'aws:num-authorization-failures', criteria: { comparisonOperator: 'greater-than', value: { count: 12 }, durationSeconds: 300 } },
      ]);
      assert.equal(r.valid, true);
      assert.deepEqual(r.validationErrors, []);
    });

    test('ValidateSecurityProfileBehaviors: each problem is one validation error naming the behavior and the field', async () => {
      await reset(server.url);
      await send(new CreateDimensionCommand({ name: 'admin', type: 'TOPIC_FILTER', stringValues: ['admin/#'] }));
      const r = await validate(BAD.map(([b]) => b));
      assert.equal(r.valid, false);
      assert.equal(r.validationErrors.length, BAD.length, JSON.stringify(r.validationErrors));
      BAD.forEach(([, words], i) => {
        assert.deepEqual(Object.keys(r.validationErrors[i]), ['errorMessage']);
        assert.match(r.validationErrors[i].errorMessage, words);
      });
      const dup = await validate([bytesOut, bytesOut]);
      assert.deepEqual(dup.validationErrors, [{ errorMessage: 'Behavior name bytes-out is used by more than one behavior; names must be unique in a security profile' }]);
    });

    test('the custom metrics and dimensions of this account and region count, with the operators of their type', async () => {
      await reset(server.url);
      const battery: Behavior = { name: 'battery-low', metric: 'battery', criteria: { comparisonOperator: 'less-than', value: { number: 20 } } };
      const ssid: Behavior = { name: 'ssid', metric: 'ssids', criteria: { comparisonOperator: 'in-set', value: { strings: ['home'] } } };
      const admin: Behavior = { name: 'admin', metric: 'aws:num-messages-received', metricDimension: { dimensionName: 'admin', operator: 'IN' }, criteria: { comparisonOperator: 'greater-than', value: { count: 5 }, durationSeconds: 600 } };
      assert.equal((await validate([battery, ssid, admin])).validationErrors.length, 3);
      const eu = iot(server.url, undefined, 'eu-west-1');
      try {
        await eu.send(new CreateCustomMetricCommand({ metricName: 'battery', metricType: 'number' }));
        await eu.send(new CreateDimensionCommand({ name: 'admin', type: 'TOPIC_FILTER', stringValues: ['admin/#'] }));
        assert.equal((await eu.send(new ValidateSecurityProfileBehaviorsCommand({ behaviors: [battery, admin] }))).valid, true);
      } finally {
        eu.destroy();
      }
      assert.equal((await validate([battery, admin])).validationErrors.length, 2);
      await send(new CreateCustomMetricCommand({ metricName: 'battery', metricType: 'number' }));
      await send(new CreateCustomMetricCommand({ metricName: 'ssids', metricType: 'string-list' }));
      await send(new CreateDimensionCommand({ name: 'admin', type: 'TOPIC_FILTER', stringValues: ['admin/#'] }));
      const r = await validate([battery, ssid, admin]);
      assert.deepEqual({ valid: r.valid, validationErrors: r.validationErrors }, { valid: true, validationErrors: [] });
      const wrongType = await validate([{ ...ssid, criteria: { comparisonOperator: 'less-than', value: { number: 1 } } }]);
      assert.match(wrongType.validationErrors[0].errorMessage, /less-than cannot be used with ssids; use one of in-set, not-in-set/);
      assert.equal((await create('custom', [battery, ssid, admin])).securityProfileName, 'custom');
    });

    test('CreateSecurityProfile refuses what Validate reports: InvalidRequestException naming the behavior and the field, nothing stored', async () => {
      await reset(server.url);
      await send(new CreateDimensionCommand({ name: 'admin', type: 'TOPIC_FILTER', stringValues: ['admin/#'] }));
      for (const [b, words] of BAD) {
        await failure(create('bad', [bytesOut, b]), 'InvalidRequestException', 400, words);
      }
      await failure(create('bad', [bytesOut, bytesOut]), 'InvalidRequestException', 400, /Behavior name bytes-out is used by more than one behavior/);
      await failure(send(new DescribeSecurityProfileCommand({ securityProfileName: 'bad' })), 'ResourceNotFoundException', 404);
      assert.deepEqual(await profiles(), []);
    });

    test('UpdateSecurityProfile refuses the same and leaves the profile as it was', async () => {
      await reset(server.url);
      await create('p', [bytesOut]);
      for (const [b, words] of BAD.slice(0, 4)) {
        await failure(send(new UpdateSecurityProfileCommand({ securityProfileName: 'p', behaviors: [authFailures, b] })), 'InvalidRequestException', 400, words);
      }
      await failure(send(new UpdateSecurityProfileCommand({ securityProfileName: 'p', additionalMetricsToRetainV2: [{ metric: 'aws:x' }] })), 'InvalidRequestException', 400, /additionalMetricsToRetainV2\[0\] is malformed/);
      const d = await send(new DescribeSecurityProfileCommand({ securityProfileName: 'p' }));
      assert.equal(d.version, 1);
      assert.deepEqual(d.behaviors, [bytesOut]);
    });

    test("what the model states is refused before the rules: consecutive datapoints past 10, 101 behaviors, a bad behavior name", async () => {
      await reset(server.url);
      // AWS's CLI example answers this one as a validation error ("consecutiveDatapointsToAlarm 100000 should be
      // in range[1,10]"); Warden's protocol layer checks the model's range first, as for every operation.
      const tooMany = { ...authFailures, criteria: { ...authFailures.criteria, consecutiveDatapointsToAlarm: 100000 } };
      await failure(validate([tooMany]), 'InvalidRequestException', 400, /consecutiveDatapointsToAlarm/);
      await failure(create('p', [tooMany]), 'InvalidRequestException', 400, /consecutiveDatapointsToAlarm/);
      const many = Array.from({ length: 101 }, (_, i) => ({ ...bytesOut, name: `b${i}` }));
      await failure(create('p', many), 'InvalidRequestException', 400, /behaviors/);
      assert.equal((await create('p', many.slice(0, 100))).securityProfileName, 'p');
      await failure(create('q', [{ ...bytesOut, name: 'has space' }]), 'InvalidRequestException', 400, /name/);
      assert.deepEqual(await profiles(), ['p']);
    });
  });
}
