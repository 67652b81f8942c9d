import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTopicFilter, topicMatches } from '../../src/base/mqtt-topics.js';
import { cloudValue, mergeActivity, parseCloudActivities, toPeriodActivity, CloudActivityError, type PeriodActivity } from '../../src/detect/cloud.js';
import { compileCriteria } from '../../src/detect/evaluate.js';
import { AWS_METRICS } from '../../src/detect/metrics.js';
import type { Behavior, ComparisonOperator } from '../../src/generated/shapes.js';

describe('MQTT topic filters', () => {
  test('+ is one level, # the level it stands on and all below; $ topics need a literal first level', () => {
    const cases: [string, string, boolean][] = [
      ['a/b', 'a/b', true],
      ['a/b', 'a/b/c', false],
      ['a/+', 'a/b', true],
      ['a/+', 'a/b/c', false],
      ['a/+', 'a', false],
      ['a/#', 'a', true],
      ['a/#', 'a/b/c', true],
      ['a/#', 'ab/c', false],
      ['#', 'x/y', true],
      ['+/+', '/x', true],
      ['#', '$aws/things/t/shadow', false],
      ['+/things/#', '$aws/things/t', false],
      ['$aws/things/+/shadow', '$aws/things/t/shadow', true],
    ];
    for (const [filter, topic, expected] of cases) assert.equal(topicMatches(filter, topic), expected, `${filter} ~ ${topic}`);
  });

  test('filters: wildcards only as whole levels, # last', () => {
    for (const f of ['a/#', '+', '#', 'a/+/b', '$aws/+']) assert.ok(isTopicFilter(f), f);
    for (const f of ['', 'a#', 'a/#/b', 'a+/b', '#/a']) assert.ok(!isTopicFilter(f), f);
  });
});

const rule = (behavior: Behavior, topics?: { filters: string[]; matching: boolean }) => {
  const spec = AWS_METRICS.get(behavior.metric!)!;
  return { spec, criteria: compileCriteria(behavior, spec), ...(topics ? { topics } : {}) };
};

describe('cloud-side datapoints', () => {
  const period: PeriodActivity = mergeActivity([
    toPeriodActivity({
      thingName: 't',
      messagesSent: [
        { topic: 'telemetry/a', bytes: 100, count: 4 },
        { topic: 'cmd/x', bytes: 7 },
      ],
      authorizationFailures: [{}, { topic: 'telemetry/a', count: 2 }, { topic: 'admin' }],
      connectionAttempts: 2,
      sourceIps: ['10.0.0.1', '10.0.0.1'],
    }),
    toPeriodActivity({ thingName: 't', messagesSent: [{ topic: 'telemetry/a', bytes: 3000 }], disconnects: 1, sourceIps: ['10.0.0.2'] }),
  ]);
  const telemetry = { filters: ['telemetry/#'], matching: true };
  const notTelemetry = { filters: ['telemetry/#'], matching: false };
  const num = (metric: string, comparisonOperator: ComparisonOperator = 'less-than'): Behavior => ({
    name: 'b',
    metric,
    criteria: { comparisonOperator, value: { count: 1 } },
  });

  test('counts over the dimension: IN, NOT_IN, none; recordings merged', () => {
    assert.deepEqual(cloudValue(period, rule(num('aws:num-messages-sent'))), { count: 6 });
    assert.deepEqual(cloudValue(period, rule(num('aws:num-messages-sent'), telemetry)), { count: 5 });
    assert.deepEqual(cloudValue(period, rule(num('aws:num-messages-sent'), notTelemetry)), { count: 1 });
    assert.deepEqual(cloudValue(period, rule(num('aws:num-messages-received'))), { count: 0 });
    assert.deepEqual(cloudValue(period, rule(num('aws:num-connection-attempts'))), { count: 2 });
    assert.deepEqual(cloudValue(period, rule(num('aws:num-disconnects'))), { count: 1 });
  });

  test('a failure without a topic counts only without a dimension', () => {
    assert.deepEqual(cloudValue(period, rule(num('aws:num-authorization-failures'))), { count: 4 });
    assert.deepEqual(cloudValue(period, rule(num('aws:num-authorization-failures'), telemetry)), { count: 2 });
    assert.deepEqual(cloudValue(period, rule(num('aws:num-authorization-failures'), notTelemetry)), { count: 1 });
  });

  test('message size: the hardest message for a static behavior, the cumulative size otherwise; none within the dimension, no datapoint', () => {
    assert.deepEqual(cloudValue(period, rule(num('aws:message-byte-size', 'less-than-equals'))), { count: 3000 });
    assert.deepEqual(cloudValue(period, rule(num('aws:message-byte-size', 'greater-than'))), { count: 7 });
    assert.deepEqual(cloudValue(period, rule(num('aws:message-byte-size', 'greater-than'), telemetry)), { count: 100 });
    const statistical: Behavior = { name: 's', metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'less-than', statisticalThreshold: { statistic: 'p90' }, durationSeconds: 300 } };
    assert.deepEqual(cloudValue(period, rule(statistical)), { count: 4 * 100 + 7 + 3000 });
    assert.equal(cloudValue(period, rule(num('aws:message-byte-size'), { filters: ['nothing/here'], matching: true })), undefined);
  });

  test('source addresses: the distinct ones of the period; none, no datapoint', () => {
    const src: Behavior = { name: 'ip', metric: 'aws:source-ip-address', criteria: { comparisonOperator: 'in-cidr-set', value: { cidrs: ['10.0.0.0/8'] } } };
    assert.deepEqual(cloudValue(period, rule(src)), { cidrs: ['10.0.0.1', '10.0.0.2'] });
    assert.equal(cloudValue({}, rule(src)), undefined);
  });

  test('a body is checked whole; the first bad field is named', () => {
    assert.deepEqual(parseCloudActivities({ activities: [{ thingName: 'a', messagesSent: [{ topic: 'x', bytes: 0 }] }] }), [{ thingName: 'a', messagesSent: [{ topic: 'x', bytes: 0, count: 1 }] }]);
    const refused = (body: unknown, message: RegExp) => assert.throws(() => parseCloudActivities(body), (e: unknown) => e instanceof CloudActivityError && message.test(e.message));
    refused({ activities: [{ thingName: 'a', messagesSent: [{ topic: 'x', bytes: 131_073 }] }] }, /messagesSent\[0\]\.bytes must be an integer from 0 to 131072/);
    refused({ activities: [{ thingName: 'a', messagesReceived: [{ topic: 'x'.repeat(257), bytes: 1 }] }] }, /topic is longer than 256 bytes/);
    refused({ activities: [{ thingName: 'a', authorizationFailures: [{ count: 0 }] }] }, /authorizationFailures\[0\]\.count must be an integer from 1/);
    refused({ activities: [{ thingName: 'a', connectionAttempts: 1.5 }] }, /connectionAttempts must be an integer/);
    refused({ activities: [{ thingName: 'x'.repeat(129) }] }, /thingName: The thing name is 129 bytes/);
    refused({ activities: [{ thingName: 'a', sourceIps: ['10.0.0.0/8'] }] }, /sourceIps\[0\] must be an IPv4 or IPv6 address/);
    refused({}, /activities must be a list/);
  });
});
