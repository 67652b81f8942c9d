// Behavior evaluation as a state machine: every comparison operator, CIDR/port/string/number sets,
// empty lists that clear, sums over durationSeconds, consecutive datapoints to alarm and to clear,
// statistical thresholds and percentiles, ML behaviors, and a state that survives JSON.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Behavior, BehaviorCriteria, ComparisonOperator, MetricValue } from '../../src/generated/shapes.js';
import {
  type BehaviorState,
  compareNumbers,
  compileCriteria,
  conformsToStatistic,
  type Evaluation,
  evaluate,
  INVALIDATE_AFTER_MS,
  percentile,
  percentileOfSorted,
  STATISTICS,
  silent,
} from '../../src/detect/evaluate.js';
import { AWS_METRICS, customMetricSpec, type MetricSpec } from '../../src/detect/metrics.js';
import { train } from '../../src/detect/ml.js';

const spec = (name: string): MetricSpec => AWS_METRICS.get(name)!;
const behavior = (metric: string, criteria: BehaviorCriteria): Behavior => ({ name: 'b', metric, criteria });
const compile = (metric: string, criteria: BehaviorCriteria, s: MetricSpec = spec(metric)) => compileCriteria(behavior(metric, criteria), s);

/** Feeds datapoints (one per 300 s unless times are given) and answers each evaluation. */
function feed(c: ReturnType<typeof compile>, values: MetricValue[], opts: { times?: number[]; threshold?: number; state?: BehaviorState } = {}): Evaluation[] {
  let state = opts.state;
  return values.map((value, i) => {
    const e = evaluate(c, state, { time: opts.times?.[i] ?? i * 300_000, value }, opts.threshold);
    state = e.state;
    return e;
  });
}
const events = (es: Evaluation[]): string[] => es.map((e) => e.event ?? '-');

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('numeric comparisons', () => {
  const table: [ComparisonOperator, boolean, boolean, boolean][] = [
    // operator, conforms below / at / above the criteria value
    ['less-than', true, false, false],
    ['less-than-equals', true, true, false],
    ['greater-than', false, false, true],
    ['greater-than-equals', false, true, true],
  ];
  for (const [operator, below, at, above] of table) {
    test(operator, () => {
      const c = compile('aws:num-listening-tcp-ports', { comparisonOperator: operator, value: { count: 10 } });
      assert.deepStrictEqual(
        [9, 10, 11].map((n) => evaluate(c, undefined, { time: 0, value: { count: n } }).conforms),
        [below, at, above],
      );
      assert.deepStrictEqual([9, 10, 11].map((n) => compareNumbers(n, operator, 10)), [below, at, above]);
      assert.deepStrictEqual([9, 10, 11].map((n) => conformsToStatistic(n, operator, 10)), [below, at, above]);
    });
  }

  test('a custom number metric compares its number', () => {
    const c = compile('battery', { comparisonOperator: 'greater-than', value: { number: 20.5 } }, customMetricSpec('battery', 'number'));
    assert.deepStrictEqual(events(feed(c, [{ number: 21 }, { number: 20.5 }, { number: 50 }])), ['-', 'in-alarm', 'alarm-cleared']);
  });

  test('a violation raises in-alarm once, conformance clears it once (defaults 1 and 1)', () => {
    const c = compile('aws:num-established-tcp-connections', { comparisonOperator: 'less-than', value: { count: 3 } });
    const es = feed(c, [1, 5, 6, 2, 1, 7].map((count) => ({ count })));
    assert.deepStrictEqual(events(es), ['-', 'in-alarm', '-', 'alarm-cleared', '-', 'in-alarm']);
    assert.deepStrictEqual(es.map((e) => e.state.inAlarm), [false, true, true, false, false, true]);
  });

  test('consecutiveDatapointsToAlarm 3 and consecutiveDatapointsToClear 2', () => {
    const c = compile('aws:num-listening-udp-ports', { comparisonOperator: 'less-than-equals', value: { count: 2 }, consecutiveDatapointsToAlarm: 3, consecutiveDatapointsToClear: 2 });
    // v = violates (5 ports), o = conforms (1 port)
    const pattern = 'vvovvvvovoovvvoo';
    const es = feed(c, [...pattern].map((p) => ({ count: p === 'v' ? 5 : 1 })));
    const got = events(es).join(' ');
    //           v v o v v v v o v o o v v v o o
    assert.equal(got, '- - - - - in-alarm - - - - alarm-cleared - - in-alarm - alarm-cleared');
  });
});

describe('durationSeconds', () => {
  test('a delta metric sums its datapoints over the trailing duration', () => {
    const c = compile('aws:all-bytes-out', { comparisonOperator: 'less-than-equals', value: { count: 1000 }, durationSeconds: 600 });
    const times = [0, 300_000, 599_999, 600_000, 900_000, 2_000_000];
    const es = feed(c, [400, 400, 100, 300, 50, 10].map((count) => ({ count })), { times });
    // Windows (t − 600 s, t]: {0}, {0,300}, {0,300,599.999}, {300,599.999,600}, {599.999,600,900}, {2000}
    assert.deepStrictEqual(es.map((e) => e.value), [{ count: 400 }, { count: 800 }, { count: 900 }, { count: 800 }, { count: 450 }, { count: 10 }]);
    assert.deepStrictEqual(es[4].state.windowTimes, [599_999, 600_000, 900_000]);
    assert.deepStrictEqual(es[4].state.windowValues, [100, 300, 50]);
    assert.deepStrictEqual(es[5].state.windowTimes, [2_000_000]);
    assert.deepStrictEqual(events(es), ['-', '-', '-', '-', '-', '-']);
    const more = feed(c, [{ count: 995 }], { times: [2_100_000], state: es[5].state });
    assert.deepStrictEqual(more[0].value, { count: 1005 });
    assert.equal(more[0].event, 'in-alarm');
  });

  test('cloud-side delta metrics and aws:message-byte-size sum too', () => {
    for (const metric of ['aws:num-messages-sent', 'aws:num-authorization-failures', 'aws:message-byte-size']) {
      const c = compile(metric, { comparisonOperator: 'less-than', value: { count: 10 }, durationSeconds: 900 });
      const es = feed(c, [4, 4, 4].map((count) => ({ count })));
      assert.deepStrictEqual(es.map((e) => e.value.count), [4, 8, 12], metric);
      assert.equal(es[2].event, 'in-alarm', metric);
    }
  });

  test('a gauge (a port count) compares its latest datapoint and keeps no window', () => {
    const c = compile('aws:num-listening-tcp-ports', { comparisonOperator: 'less-than', value: { count: 10 }, durationSeconds: 300 });
    const es = feed(c, [6, 6, 6].map((count) => ({ count })));
    assert.deepStrictEqual(es.map((e) => e.value.count), [6, 6, 6]);
    assert.equal(es[2].state.windowTimes, undefined);
  });

  test('without durationSeconds a delta metric compares each datapoint', () => {
    const c = compile('aws:all-packets-in', { comparisonOperator: 'less-than', value: { count: 10 } });
    assert.deepStrictEqual(feed(c, [6, 6].map((count) => ({ count }))).map((e) => e.value.count), [6, 6]);
  });
});

describe('CIDR sets', () => {
  const cidrs = ['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32'];

  test('in-cidr-set: every address must be in the set (IPv4 and IPv6)', () => {
    const c = compile('aws:destination-ip-addresses', { comparisonOperator: 'in-cidr-set', value: { cidrs } });
    const verdicts = [['10.1.2.3'], ['10.1.2.3', '192.168.9.9', '2001:db8::5'], ['10.1.2.3', '8.8.8.8'], ['2001:db9::1'], ['::ffff:10.0.0.1']].map(
      (list) => evaluate(c, undefined, { time: 0, value: { cidrs: list } }).conforms,
    );
    assert.deepStrictEqual(verdicts, [true, true, false, false, true]);
  });

  test('not-in-cidr-set: no address may be in the set', () => {
    const c = compile('aws:source-ip-address', { comparisonOperator: 'not-in-cidr-set', value: { cidrs } });
    const verdicts = [['8.8.8.8'], ['8.8.8.8', '2001:db9::1'], ['8.8.8.8', '10.0.0.1'], ['2001:db8:1::1']].map((list) => evaluate(c, undefined, { time: 0, value: { cidrs: list } }).conforms);
    assert.deepStrictEqual(verdicts, [true, true, false, false]);
  });

  test('a block in an ip-address-list custom metric must lie wholly inside, or wholly outside', () => {
    const s = customMetricSpec('peers', 'ip-address-list');
    const inSet = compile('peers', { comparisonOperator: 'in-cidr-set', value: { cidrs } }, s);
    const notInSet = compile('peers', { comparisonOperator: 'not-in-cidr-set', value: { cidrs } }, s);
    const at = (c: ReturnType<typeof compile>, list: string[]) => evaluate(c, undefined, { time: 0, value: { cidrs: list } }).conforms;
    assert.equal(at(inSet, ['10.20.0.0/16']), true);
    assert.equal(at(inSet, ['10.0.0.0/7']), false);
    assert.equal(at(notInSet, ['10.0.0.0/7']), false);
    assert.equal(at(notInSet, ['12.0.0.0/8']), true);
  });

  test('an empty address list conforms and clears an alarm at once, whatever consecutiveDatapointsToClear says', () => {
    const c = compile('aws:destination-ip-addresses', { comparisonOperator: 'in-cidr-set', value: { cidrs }, consecutiveDatapointsToClear: 3 });
    const es = feed(c, [{ cidrs: ['8.8.8.8'] }, { cidrs: ['10.0.0.1'] }, { cidrs: ['8.8.4.4'] }, { cidrs: [] }, { cidrs: [] }]);
    assert.deepStrictEqual(events(es), ['in-alarm', '-', '-', 'alarm-cleared', '-']);
    assert.equal(es[1].state.streak, 1, 'one conforming datapoint toward clearing');
    assert.equal(es[3].conforms, true);
  });
});

describe('port sets', () => {
  test('in-port-set and not-in-port-set', () => {
    const inSet = compile('aws:listening-tcp-ports', { comparisonOperator: 'in-port-set', value: { ports: [22, 443] } });
    const notInSet = compile('aws:listening-udp-ports', { comparisonOperator: 'not-in-port-set', value: { ports: [23, 69] } });
    const at = (c: ReturnType<typeof compile>, ports: number[]) => evaluate(c, undefined, { time: 0, value: { ports } }).conforms;
    assert.deepStrictEqual([[22], [22, 443], [22, 8080]].map((p) => at(inSet, p)), [true, true, false]);
    assert.deepStrictEqual([[53], [53, 69], [23]].map((p) => at(notInSet, p)), [true, false, false]);
  });

  test('an empty port list clears an alarm at once', () => {
    const c = compile('aws:listening-tcp-ports', { comparisonOperator: 'in-port-set', value: { ports: [22] }, consecutiveDatapointsToAlarm: 2, consecutiveDatapointsToClear: 5 });
    const es = feed(c, [{ ports: [8080] }, { ports: [8080] }, { ports: [] }]);
    assert.deepStrictEqual(events(es), ['-', 'in-alarm', 'alarm-cleared']);
  });
});

describe('string and number sets (custom list metrics)', () => {
  test('in-set and not-in-set for strings', () => {
    const s = customMetricSpec('processes', 'string-list');
    const inSet = compile('processes', { comparisonOperator: 'in-set', value: { strings: ['sshd', 'agent'] } }, s);
    const notInSet = compile('processes', { comparisonOperator: 'not-in-set', value: { strings: ['nc', 'telnetd'] } }, s);
    const at = (c: ReturnType<typeof compile>, strings: string[]) => evaluate(c, undefined, { time: 0, value: { strings } }).conforms;
    assert.deepStrictEqual([['sshd'], ['sshd', 'agent'], ['sshd', 'nc'], []].map((x) => at(inSet, x)), [true, true, false, true]);
    assert.deepStrictEqual([['sshd'], ['sshd', 'nc'], []].map((x) => at(notInSet, x)), [true, false, true]);
  });

  test('in-set and not-in-set for numbers', () => {
    const s = customMetricSpec('codes', 'number-list');
    const inSet = compile('codes', { comparisonOperator: 'in-set', value: { numbers: [1, 2.5] } }, s);
    const notInSet = compile('codes', { comparisonOperator: 'not-in-set', value: { numbers: [7] } }, s);
    const at = (c: ReturnType<typeof compile>, numbers: number[]) => evaluate(c, undefined, { time: 0, value: { numbers } }).conforms;
    assert.deepStrictEqual([[1], [2.5, 1], [1, 3]].map((x) => at(inSet, x)), [true, true, false]);
    assert.deepStrictEqual([[1], [1, 7]].map((x) => at(notInSet, x)), [true, false]);
  });

  test('an empty string list conforms like any conforming datapoint (no immediate clear)', () => {
    const c = compile('processes', { comparisonOperator: 'in-set', value: { strings: ['sshd'] }, consecutiveDatapointsToClear: 2 }, customMetricSpec('processes', 'string-list'));
    assert.deepStrictEqual(events(feed(c, [{ strings: ['nc'] }, { strings: [] }, { strings: [] }])), ['in-alarm', '-', 'alarm-cleared']);
  });
});

describe('statistical thresholds', () => {
  test('percentile: linear interpolation between closest ranks; p0 the minimum, p100 the maximum', () => {
    const v = [5, 1, 4, 2, 3];
    assert.equal(percentile(v, 'p0'), 1);
    assert.equal(percentile(v, 'p10'), 1.4);
    assert.equal(percentile(v, 'p50'), 3);
    assert.equal(percentile(v, 'p90'), 4.6);
    assert.equal(percentile(v, 'p100'), 5);
    assert.deepStrictEqual(v, [5, 1, 4, 2, 3], 'the input is not sorted in place');
    const thousand = Array.from({ length: 1001 }, (_, i) => i);
    assert.equal(percentile(thousand, 'p99.9'), 999);
    assert.equal(percentile(thousand, 'p0.1'), 1);
    assert.ok(Math.abs(percentile(thousand, 'p99.99')! - 999.9) < 1e-9);
    assert.ok(Math.abs(percentile(thousand, 'p0.01')! - 0.1) < 1e-9);
    assert.equal(percentile(thousand, 'p1'), 10);
    assert.equal(percentile(thousand, 'p99'), 990);
    assert.equal(percentile([7], 'p99.99'), 7);
    assert.equal(percentile([], 'p50'), undefined);
    assert.equal(percentileOfSorted(Float64Array.of(1, 2), 'p50'), 1.5);
    assert.equal(STATISTICS.length, 11);
    assert.throws(() => percentile(v, 'p42' as never), /Unknown statistic p42/);
  });

  test("a device conforms when its value stands to the fleet's statistic as the operator says", () => {
    // "Large Message Size": messages below the fleet's p90 conform (AWS's example).
    const c = compile('aws:message-byte-size', { comparisonOperator: 'less-than', statisticalThreshold: { statistic: 'p90' }, consecutiveDatapointsToAlarm: 3, consecutiveDatapointsToClear: 3 });
    assert.equal(c.criteriaType, 'STATISTICAL');
    const fleet = Array.from({ length: 100 }, (_, i) => 100 + i);
    const p90 = percentile(fleet, c.statistic!)!;
    assert.ok(Math.abs(p90 - 189.1) < 1e-9);
    const values = [150, 500, 600, 700, 150, 150, 150].map((count) => ({ count }));
    assert.deepStrictEqual(events(feed(c, values, { threshold: p90 })), ['-', '-', '-', 'in-alarm', '-', '-', 'alarm-cleared']);
  });

  test('without a threshold (no fleet statistic yet) a datapoint is not compared', () => {
    const c = compile('aws:num-disconnects', { comparisonOperator: 'greater-than', statisticalThreshold: { statistic: 'p10' }, durationSeconds: 300 });
    const es = feed(c, [{ count: 0 }, { count: 0 }]);
    assert.deepStrictEqual(es.map((e) => e.conforms), [undefined, undefined]);
    assert.deepStrictEqual(events(es), ['-', '-']);
    // ...but a summing behavior still keeps its window.
    assert.deepStrictEqual(es[1].state.windowValues, [0]);
    assert.equal(feed(c, [{ count: 0 }], { threshold: 1, state: es[1].state, times: [600_000] })[0].event, 'in-alarm');
  });
});

describe('ML behaviors', () => {
  test('anomalous datapoints violate; without an active model nothing is compared', () => {
    const c = compile('aws:all-bytes-out', { mlDetectionConfig: { confidenceLevel: 'HIGH' }, consecutiveDatapointsToAlarm: 1, consecutiveDatapointsToClear: 1 });
    assert.equal(c.criteriaType, 'MACHINE_LEARNING');
    const model = train(Array.from({ length: 1000 }, (_, i) => 10_000 + (i % 50) * 40), 0);
    const values = [10_500, 2_000_000, 11_000].map((count) => ({ count }));
    let state: BehaviorState | undefined;
    const got = values.map((value, i) => {
      const e = evaluate(c, state, { time: i * 300_000, value }, undefined, model);
      state = e.state;
      return e.event ?? '-';
    });
    assert.deepStrictEqual(got, ['-', 'in-alarm', 'alarm-cleared']);
    assert.equal(evaluate(c, undefined, { time: 0, value: { count: 2_000_000 } }).conforms, undefined);
  });
});

describe('the state', () => {
  test('is not modified, survives JSON, and ignores datapoints out of time order', () => {
    const c = compile('aws:all-bytes-in', { comparisonOperator: 'less-than', value: { count: 100 }, durationSeconds: 900, consecutiveDatapointsToAlarm: 2 });
    const first = feed(c, [{ count: 60 }, { count: 60 }]);
    const frozen = deepFreeze(JSON.parse(JSON.stringify(first[1].state)) as BehaviorState);
    const next = evaluate(c, frozen, { time: 600_000, value: { count: 10 } });
    assert.equal(next.event, 'in-alarm');
    assert.deepStrictEqual(next.state, { inAlarm: true, streak: 0, lastTime: 600_000, windowTimes: [0, 300_000, 600_000], windowValues: [60, 60, 10] });
    const stale = evaluate(c, next.state, { time: 1, value: { count: 0 } });
    assert.equal(stale.state, next.state);
    assert.equal(stale.conforms, undefined);
    assert.equal(JSON.stringify(evaluate(c, undefined, { time: 5, value: { count: 1 } }).state), '{"inAlarm":false,"streak":0,"lastTime":5,"windowTimes":[5],"windowValues":[1]}');
  });

  test('silent: in alarm with no datapoint for more than two days', () => {
    const state: BehaviorState = { inAlarm: true, streak: 0, lastTime: 1000 };
    assert.equal(silent(state, 1000 + INVALIDATE_AFTER_MS), false);
    assert.equal(silent(state, 1001 + INVALIDATE_AFTER_MS), true);
    assert.equal(silent({ ...state, inAlarm: false }, 1e15), false);
  });

  test('a datapoint of the wrong shape is a programming error', () => {
    const c = compile('aws:all-bytes-in', { comparisonOperator: 'less-than', value: { count: 100 } });
    assert.throws(() => evaluate(c, undefined, { time: 0, value: { ports: [1] } }), TypeError);
    const p = compile('aws:listening-tcp-ports', { comparisonOperator: 'in-port-set', value: { ports: [1] } });
    assert.throws(() => evaluate(p, undefined, { time: 0, value: { count: 1 } }), TypeError);
  });
});

describe('compileCriteria refuses what validation should have refused', () => {
  const cases: [string, Behavior, MetricSpec, RegExp][] = [
    ['no criteria', { name: 'x', metric: 'aws:all-bytes-in' }, spec('aws:all-bytes-in'), /has no criteria/],
    ['no operator', behavior('aws:all-bytes-in', { value: { count: 1 } }), spec('aws:all-bytes-in'), /has no comparisonOperator/],
    ['an operator for another kind', behavior('aws:all-bytes-in', { comparisonOperator: 'in-port-set', value: { ports: [1] } }), spec('aws:all-bytes-in'), /in-port-set does not suit aws:all-bytes-in/],
    ['no value', behavior('aws:all-bytes-in', { comparisonOperator: 'less-than' }), spec('aws:all-bytes-in'), /has no criteria value/],
    ['no count', behavior('aws:all-bytes-in', { comparisonOperator: 'less-than', value: { ports: [1] } }), spec('aws:all-bytes-in'), /needs a count or number value/],
    ['a bad CIDR', behavior('aws:source-ip-address', { comparisonOperator: 'in-cidr-set', value: { cidrs: ['10.0.0.0/40'] } }), spec('aws:source-ip-address'), /'10\.0\.0\.0\/40' is not a CIDR block/],
    ['an unknown statistic', behavior('aws:all-bytes-in', { comparisonOperator: 'less-than', statisticalThreshold: { statistic: 'p42' } }), spec('aws:all-bytes-in'), /unknown statistic p42/],
    ['ML on a list metric', behavior('aws:listening-tcp-ports', { mlDetectionConfig: { confidenceLevel: 'LOW' } }), spec('aws:listening-tcp-ports'), /ML detection needs a numeric metric/],
  ];
  for (const [what, b, s, message] of cases) {
    test(what, () => assert.throws(() => compileCriteria(b, s), message));
  }
});
