// validateBehaviors on its own (src/detect/behaviors.ts): every rule, including the two the model
// already enforces on the wire (at most 100 behaviors, consecutive datapoints 1 to 10), which a
// caller inside Warden could still break. The same rules through the SDK on both backends are in
// security-profiles-validation.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isCidr, validateBehaviors, validateMetricsToRetain, type DefinedMetrics } from '../../src/detect/behaviors.js';
import { AWS_METRICS } from '../../src/detect/metrics.js';
import type { Behavior, CustomMetricType } from '../../src/generated/shapes.js';

const CUSTOM: Record<string, CustomMetricType> = { battery: 'number', ssids: 'string-list', peers: 'ip-address-list', codes: 'number-list' };
const defined: DefinedMetrics = { customMetricType: (n) => CUSTOM[n], dimensionExists: (n) => n === 'admin-topics' };

const messages = (behaviors: Behavior[]): string[] => validateBehaviors(behaviors, defined).map((e) => e.errorMessage);
/** The single problem of one behavior. */
const problem = (b: Partial<Behavior>): string => {
  const m = messages([{ name: 'b', ...b } as Behavior]);
  assert.equal(m.length, 1, `expected one problem, got ${JSON.stringify(m)}`);
  return m[0];
};
const ok = (...behaviors: Behavior[]) => assert.deepEqual(messages(behaviors), []);
const count = (metric: string, n = 10, extra: object = {}): Behavior => ({ name: 'b', metric, criteria: { comparisonOperator: 'greater-than', value: { count: n }, ...extra } });

describe('validateBehaviors', () => {
  test("AWS's own examples are valid (device-side, cloud-side, statistical, ML, custom)", () => {
    ok(
      { name: 'TCP-outbound', metric: 'aws:all-bytes-out', criteria: { comparisonOperator: 'less-than-equals', value: { count: 4096 }, durationSeconds: 300, consecutiveDatapointsToAlarm: 1, consecutiveDatapointsToClear: 1 }, suppressAlerts: true },
      { name: 'p50-out', metric: 'aws:all-bytes-out', criteria: { comparisonOperator: 'less-than-equals', statisticalThreshold: { statistic: 'p50' }, durationSeconds: 900 } },
      { name: 'ml-out', metric: 'aws:all-bytes-out', criteria: { consecutiveDatapointsToAlarm: 1, mlDetectionConfig: { confidenceLevel: 'HIGH' } } },
      { name: 'CellularBandwidth', metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'greater-than', value: { count: 128 } } },
      { name: 'large-p90', metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'less-than-equals', statisticalThreshold: { statistic: 'p90' }, durationSeconds: 300 } },
      { name: 'Authorization', metric: 'aws:num-authorization-failures', criteria: { comparisonOperator: 'greater-than', value: { count: 12 }, durationSeconds: 300 } },
      { name: 'denied-ips', metric: 'aws:source-ip-address', criteria: { comparisonOperator: 'not-in-cidr-set', value: { cidrs: ['12.8.0.0/16', '15.102.16.0/24'] } } },
      { name: 'tcp-ports', metric: 'aws:listening-tcp-ports', criteria: { comparisonOperator: 'in-port-set', value: { ports: [443, 80] } } },
      { name: 'max-tcp', metric: 'aws:num-listening-tcp-ports', criteria: { comparisonOperator: 'less-than-equals', value: { count: 5 }, durationSeconds: 300 } },
      { name: 'great-than-75', metric: 'battery', criteria: { comparisonOperator: 'greater-than', value: { number: 75 }, consecutiveDatapointsToAlarm: 5 } },
      { name: 'ssid', metric: 'ssids', criteria: { comparisonOperator: 'in-set', value: { strings: ['home'] } } },
      { name: 'codes', metric: 'codes', criteria: { comparisonOperator: 'not-in-set', value: { numbers: [1, 2.5] } } },
      { name: 'peers', metric: 'peers', criteria: { comparisonOperator: 'in-cidr-set', value: { cidrs: ['10.0.0.0/8', '2001:db8::/32'] } } },
      { name: 'ml-battery', metric: 'battery', criteria: { mlDetectionConfig: { confidenceLevel: 'LOW' } } },
      { name: 'admin-sent', metric: 'aws:num-messages-sent', metricDimension: { dimensionName: 'admin-topics', operator: 'NOT_IN' }, criteria: { comparisonOperator: 'greater-than', value: { count: 1 }, durationSeconds: 300 } },
    );
  });

  test('a behavior without criteria only retains its metric (Behavior.criteria is optional); its metric is still checked', () => {
    ok({ name: 'keep', metric: 'aws:num-disconnects' }, { name: 'keep-dim', metric: 'aws:message-byte-size', metricDimension: { dimensionName: 'admin-topics' } });
    assert.match(problem({ metric: 'aws:nope' }), /^Behavior b is malformed\. metric aws:nope is not a Device Defender metric$/);
    assert.match(problem({}), /metric is required/);
  });

  test('every metric name: the aws: ones of the table, and custom metrics only when defined', () => {
    for (const m of AWS_METRICS.keys()) assert.ok(!messages([{ name: 'k', metric: m }]).length, m);
    assert.match(problem({ metric: 'aws:all-bytes' }), /aws:all-bytes is not a Device Defender metric/);
    assert.match(problem({ metric: 'temperature' }), /temperature is neither an aws: metric nor a custom metric defined/);
  });

  test('operators suit the metric', () => {
    assert.match(problem(count('aws:num-disconnects', 1, { comparisonOperator: 'in-cidr-set', durationSeconds: 300 })), /comparisonOperator in-cidr-set cannot be used with aws:num-disconnects; use one of less-than/);
    assert.match(problem({ metric: 'aws:source-ip-address', criteria: { comparisonOperator: 'in-port-set', value: { cidrs: ['1.2.3.4/32'] } } }), /in-port-set cannot be used with aws:source-ip-address; use one of in-cidr-set, not-in-cidr-set/);
    assert.match(problem({ metric: 'aws:listening-udp-ports', criteria: { comparisonOperator: 'in-set', value: { ports: [1] } } }), /in-set cannot be used with aws:listening-udp-ports/);
    assert.match(problem({ metric: 'ssids', criteria: { comparisonOperator: 'less-than', value: { strings: ['x'] } } }), /less-than cannot be used with ssids; use one of in-set, not-in-set/);
    assert.match(problem({ metric: 'battery', criteria: { comparisonOperator: 'in-set', value: { number: 1 } } }), /in-set cannot be used with battery/);
    assert.match(problem({ metric: 'peers', criteria: { comparisonOperator: 'in-set', value: { cidrs: ['1.2.3.4'] } } }), /in-set cannot be used with peers; use one of in-cidr-set/);
    assert.match(problem({ metric: 'aws:num-disconnects', criteria: { value: { count: 1 }, durationSeconds: 300 } }), /criteria\.comparisonOperator is required/);
  });

  test('the value matches the metric: count for aws numeric, number for custom number, then cidrs, ports, strings, numbers', () => {
    assert.match(problem({ metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'greater-than', value: { number: 1 } } }), /criteria\.value of aws:message-byte-size takes count only, not number/);
    assert.match(problem({ metric: 'battery', criteria: { comparisonOperator: 'greater-than', value: { count: 1 } } }), /value of battery takes number only, not count/);
    assert.match(problem({ metric: 'aws:destination-ip-addresses', criteria: { comparisonOperator: 'in-cidr-set', value: { ports: [1] } } }), /takes cidrs only, not ports/);
    assert.match(problem({ metric: 'aws:listening-tcp-ports', criteria: { comparisonOperator: 'in-port-set', value: { ports: [1], count: 2 } } }), /takes ports only, not ports, count/);
    assert.match(problem({ metric: 'ssids', criteria: { comparisonOperator: 'in-set', value: { numbers: [1] } } }), /takes strings only/);
    assert.match(problem({ metric: 'codes', criteria: { comparisonOperator: 'in-set', value: { strings: ['1'] } } }), /takes numbers only/);
    assert.match(problem({ metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'greater-than', value: {} } }), /takes count only$/);
    assert.match(problem({ metric: 'aws:source-ip-address', criteria: { comparisonOperator: 'in-cidr-set', value: { cidrs: ['10.0.0.0/8', '10.0.0.0/33'] } } }), /cidrs 10\.0\.0\.0\/33 is not a CIDR block/);
    assert.match(problem({ metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'greater-than' } }), /criteria\.value or criteria\.statisticalThreshold is required/);
    assert.match(
      problem({ metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'greater-than', value: { count: 1 }, statisticalThreshold: { statistic: 'p90' }, durationSeconds: 300 } }),
      /takes a value or a statisticalThreshold, not both/,
    );
  });

  test('CIDR blocks: IPv4 and IPv6, with or without a prefix', () => {
    for (const c of ['10.0.0.0/8', '1.2.3.4', '0.0.0.0/0', '2001:db8::/32', '::1', 'fe80::/128']) assert.ok(isCidr(c), c);
    for (const c of ['10.0.0/8', '1.2.3.4/33', '2001:db8::/129', '1.2.3.4/', '1.2.3.4/x', 'abc']) assert.ok(!isCidr(c), c);
  });

  test('durations: 300, 600, 900, 1800 or 3600 where AWS names them; required for statistical thresholds and cloud-side counts', () => {
    for (const d of [300, 600, 900, 1800, 3600]) ok(count('aws:num-messages-sent', 1, { durationSeconds: d }));
    assert.match(problem(count('aws:num-messages-sent', 1, { durationSeconds: 60 })), /criteria\.durationSeconds 60 should be one of \[300, 600, 900, 1800, 3600\]/);
    assert.match(problem(count('aws:all-bytes-in', 1, { durationSeconds: 301 })), /durationSeconds 301 should be one of/);
    assert.match(problem(count('aws:num-listening-udp-ports', 1, { durationSeconds: 120 })), /durationSeconds 120 should be one of/);
    assert.match(problem(count('aws:num-connection-attempts', 1)), /criteria\.durationSeconds is required for aws:num-connection-attempts/);
    ok(count('aws:all-packets-out', 1)); // device-side: a report is a datapoint
    assert.match(problem({ metric: 'aws:listening-tcp-ports', criteria: { comparisonOperator: 'in-port-set', value: { ports: [1] }, durationSeconds: 300 } }), /durationSeconds cannot be used with list-based metric aws:listening-tcp-ports/);
    assert.match(problem(count('aws:message-byte-size', 1, { durationSeconds: 300 })), /durationSeconds cannot be used with aws:message-byte-size except with a statisticalThreshold/);
    assert.match(problem({ metric: 'aws:all-bytes-out', criteria: { comparisonOperator: 'greater-than', statisticalThreshold: { statistic: 'p90' } } }), /durationSeconds is required with a statisticalThreshold/);
    assert.match(problem({ metric: 'battery', criteria: { comparisonOperator: 'greater-than', statisticalThreshold: { statistic: 'p90' }, durationSeconds: 30 } }), /durationSeconds 30 should be one of/);
  });

  test('statisticalThreshold only on numeric metrics, with a statistic', () => {
    ok({ name: 'b', metric: 'battery', criteria: { comparisonOperator: 'greater-than', statisticalThreshold: { statistic: 'p99' }, durationSeconds: 600 } });
    assert.match(problem({ metric: 'aws:source-ip-address', criteria: { comparisonOperator: 'in-cidr-set', statisticalThreshold: { statistic: 'p90' } } }), /statisticalThreshold cannot be used with aws:source-ip-address/);
    assert.match(problem({ metric: 'ssids', criteria: { comparisonOperator: 'in-set', statisticalThreshold: { statistic: 'p90' } } }), /statisticalThreshold cannot be used with ssids/);
    assert.match(problem({ metric: 'aws:all-bytes-in', criteria: { comparisonOperator: 'greater-than', statisticalThreshold: {}, durationSeconds: 300 } }), /statisticalThreshold\.statistic is required/);
  });

  test('mlDetectionConfig only on ML metrics, with no comparisonOperator, value, statistical threshold, duration or dimension', () => {
    for (const m of ['aws:source-ip-address', 'aws:destination-ip-addresses', 'aws:listening-tcp-ports', 'aws:listening-udp-ports', 'ssids', 'peers', 'codes']) {
      assert.match(problem({ metric: m, criteria: { mlDetectionConfig: { confidenceLevel: 'HIGH' } } }), /criteria\.mlDetectionConfig cannot be used with/, m);
    }
    assert.match(problem({ metric: 'aws:num-disconnects', criteria: { mlDetectionConfig: { confidenceLevel: 'LOW' }, comparisonOperator: 'greater-than', value: { count: 1 } } }), /cannot be combined with criteria\.comparisonOperator, criteria\.value$/);
    assert.match(problem({ metric: 'aws:num-disconnects', criteria: { mlDetectionConfig: { confidenceLevel: 'LOW' }, statisticalThreshold: { statistic: 'p50' } } }), /combined with criteria\.statisticalThreshold/);
    assert.match(problem({ metric: 'aws:num-disconnects', criteria: { mlDetectionConfig: { confidenceLevel: 'LOW' }, durationSeconds: 300 } }), /combined with criteria\.durationSeconds/);
    const m = messages([{ name: 'b', metric: 'aws:num-messages-sent', metricDimension: { dimensionName: 'admin-topics' }, criteria: { mlDetectionConfig: { confidenceLevel: 'MEDIUM' } } }]);
    assert.deepEqual(m, ['Behavior b is malformed. criteria.mlDetectionConfig cannot be used with a metricDimension']);
  });

  test('consecutiveDatapointsToAlarm and ToClear are 1 to 10, in AWS words', () => {
    ok(count('aws:message-byte-size', 1, { consecutiveDatapointsToAlarm: 10, consecutiveDatapointsToClear: 1 }));
    const m = messages([{ ...count('aws:num-authorization-failures', 12, { durationSeconds: 300, consecutiveDatapointsToAlarm: 100000 }), name: 'Authorization' }]);
    assert.deepEqual(m, ['Behavior Authorization is malformed. consecutiveDatapointsToAlarm 100000 should be in range[1,10]']);
    assert.match(problem(count('aws:message-byte-size', 1, { consecutiveDatapointsToClear: 0 })), /consecutiveDatapointsToClear 0 should be in range\[1,10\]/);
  });

  test('metricDimension: only on the message metrics, never on custom metrics, and the dimension must exist', () => {
    for (const m of ['aws:num-messages-sent', 'aws:num-messages-received', 'aws:num-authorization-failures', 'aws:message-byte-size']) {
      assert.deepEqual(messages([{ name: 'd', metric: m, metricDimension: { dimensionName: 'admin-topics' } }]), [], m);
    }
    assert.match(problem({ metric: 'aws:num-disconnects', metricDimension: { dimensionName: 'admin-topics' } }), /metricDimension cannot be used with aws:num-disconnects; a dimension scopes only aws:message-byte-size, aws:num-messages-sent/);
    assert.match(problem({ metric: 'aws:all-bytes-out', metricDimension: { dimensionName: 'admin-topics' } }), /metricDimension cannot be used with aws:all-bytes-out/);
    assert.match(problem({ metric: 'battery', metricDimension: { dimensionName: 'admin-topics' } }), /metricDimension cannot be used with custom metric battery/);
    assert.match(problem({ metric: 'aws:num-messages-sent', metricDimension: { dimensionName: 'ghost' } }), /metricDimension\.dimensionName ghost is not a dimension of this account and region/);
  });

  test('names unique in a profile; at most 100 behaviors; at most 1000 value elements', () => {
    const two = messages([count('aws:message-byte-size'), { ...count('aws:message-byte-size'), criteria: { comparisonOperator: 'less-than', value: { count: 1 } } }]);
    assert.deepEqual(two, ['Behavior name b is used by more than one behavior; names must be unique in a security profile']);
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ ...count('aws:message-byte-size'), name: `b${i}` }));
    ok(...many(100));
    assert.deepEqual(messages(many(101)), ['A security profile can have at most 100 behaviors; 101 were given']);
    const ports = (name: string, n: number): Behavior => ({ name, metric: 'aws:listening-tcp-ports', criteria: { comparisonOperator: 'in-port-set', value: { ports: Array.from({ length: n }, (_, i) => i) } } });
    ok(ports('p1', 500), ports('p2', 500));
    assert.deepEqual(messages([ports('p1', 500), ports('p2', 501)]), ['The behaviors hold 1001 metric value elements (cidrs, ports, numbers, strings); a security profile can have at most 1000']);
    const errs = validateBehaviors([{ name: 'x', metric: 'aws:nope' }], defined);
    assert.deepEqual(errs, [{ behaviorName: 'x', errorMessage: 'Behavior x is malformed. metric aws:nope is not a Device Defender metric' }]);
  });

  test('metrics to retain: known metrics, dimensions on message metrics only', () => {
    assert.deepEqual(validateMetricsToRetain([{ metric: 'aws:num-disconnects' }, { metric: 'battery' }, { metric: 'aws:num-messages-received', metricDimension: { dimensionName: 'admin-topics' } }], defined), []);
    assert.deepEqual(
      validateMetricsToRetain([{ metric: 'aws:x' }, { metric: 'battery', metricDimension: { dimensionName: 'admin-topics' } }], defined).map((e) => e.errorMessage),
      [
        'additionalMetricsToRetainV2[0] is malformed. metric aws:x is not a Device Defender metric',
        'additionalMetricsToRetainV2[1] is malformed. metricDimension cannot be used with custom metric battery',
      ],
    );
  });
});
