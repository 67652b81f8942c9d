// Metrics reports as AWS's producers write them (the device-side metrics page's examples, the
// embedded SDK's short keys, the Python agent's IPv6 brackets and custom metrics), in JSON and in
// CBOR, and every rule that rejects one, with the field's path in the message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Encoder } from 'cbor-x';
import type { CustomMetricType, MetricValue } from '../../src/generated/shapes.js';
import { checkThingName, parseMetricsReport } from '../../src/detect/report.js';

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });
const CUSTOM: Record<string, CustomMetricType> = {
  cpu_usage: 'number',
  temperatures: 'number-list',
  processes: 'string-list',
  peers: 'ip-address-list',
};
const custom = (name: string): CustomMetricType | undefined => CUSTOM[name];

const json = (doc: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(doc));
const parseJson = (doc: unknown) => parseMetricsReport(json(doc), 'json', custom);
const parseCbor = (doc: unknown) => parseMetricsReport(cbor.encode(doc), 'cbor', custom);
const values = (r: ReturnType<typeof parseJson>): Record<string, MetricValue> => {
  assert.equal(r.error, undefined, r.error?.message);
  return Object.fromEntries(r.report!.values);
};
const rejects = (doc: unknown, message: RegExp, format: 'json' | 'cbor' = 'json'): void => {
  const r = format === 'json' ? parseJson(doc) : parseCbor(doc);
  assert.ok(r.error, `accepted: ${JSON.stringify(doc, (_k, x) => (typeof x === 'bigint' ? `${x}` : x))}`);
  assert.equal(r.error.code, 'InvalidPayload');
  assert.match(r.error.message, message);
};

// The long-name example of AWS's device metrics document specification.
const LONG = {
  header: { report_id: 1530304554, version: '1.0' },
  metrics: {
    listening_tcp_ports: { ports: [{ interface: 'eth0', port: 24800 }, { interface: 'eth0', port: 22 }, { interface: 'eth0', port: 53 }], total: 3 },
    listening_udp_ports: { ports: [{ interface: 'eth0', port: 5353 }, { interface: 'eth0', port: 67 }], total: 2 },
    network_stats: { bytes_in: 29358693495, bytes_out: 26485035, packets_in: 10013573555, packets_out: 11382615 },
    tcp_connections: {
      established_connections: {
        connections: [
          { local_interface: 'eth0', local_port: 80, remote_addr: '192.168.0.1:8000' },
          { local_interface: 'eth0', local_port: 80, remote_addr: '192.168.0.1:8000' },
        ],
        total: 2,
      },
    },
  },
};
// Its short-name twin.
const SHORT = {
  hed: { rid: 1530305228, v: '1.0' },
  met: {
    tp: { pts: [{ if: 'eth0', pt: 24800 }, { if: 'eth0', pt: 22 }, { if: 'eth0', pt: 53 }], t: 3 },
    up: { pts: [{ if: 'eth0', pt: 5353 }, { if: 'eth0', pt: 67 }], t: 2 },
    ns: { bi: 29359307173, bo: 26490711, pi: 10014614051, po: 11387620 },
    tc: { ec: { cs: [{ li: 'eth0', lp: 80, rad: '192.168.0.1:8000' }, { li: 'eth0', lp: 80, rad: '192.168.0.1:8000' }], t: 2 } },
  },
};
const EXPECTED_LONG: Record<string, MetricValue> = {
  'aws:listening-tcp-ports': { ports: [22, 53, 24800] },
  'aws:num-listening-tcp-ports': { count: 3 },
  'aws:listening-udp-ports': { ports: [67, 5353] },
  'aws:num-listening-udp-ports': { count: 2 },
  'aws:all-bytes-in': { count: 29358693495 },
  'aws:all-bytes-out': { count: 26485035 },
  'aws:all-packets-in': { count: 10013573555 },
  'aws:all-packets-out': { count: 11382615 },
  'aws:destination-ip-addresses': { cidrs: ['192.168.0.1'] },
  'aws:num-established-tcp-connections': { count: 2 },
};

describe('parseMetricsReport: well-formed reports', () => {
  test("AWS's long-name example, JSON and CBOR", () => {
    for (const r of [parseJson(LONG), parseCbor(LONG)]) {
      assert.equal(r.report?.reportId, 1530304554);
      assert.equal(r.report?.version, '1.0');
      assert.deepStrictEqual(values(r), EXPECTED_LONG);
    }
  });

  test("AWS's short-name example (the embedded SDK's default keys), JSON and CBOR", () => {
    const expected = {
      ...EXPECTED_LONG,
      'aws:all-bytes-in': { count: 29359307173 },
      'aws:all-bytes-out': { count: 26490711 },
      'aws:all-packets-in': { count: 10014614051 },
      'aws:all-packets-out': { count: 11387620 },
    };
    for (const r of [parseJson(SHORT), parseCbor(SHORT)]) {
      assert.equal(r.report?.reportId, 1530305228);
      assert.deepStrictEqual(values(r), expected);
    }
  });

  test('long and short names may mix across fields', () => {
    const r = parseJson({ header: { rid: 7, version: '1.0' }, met: { network_stats: { bi: 10, bytes_out: 20 } } });
    assert.deepStrictEqual(values(r), { 'aws:all-bytes-in': { count: 10 }, 'aws:all-bytes-out': { count: 20 } });
  });

  test("the Python agent's report: bracketed IPv6 remote addresses, sampled lists, a custom number", () => {
    const r = parseCbor({
      header: { report_id: 1700000000, version: '1.0' },
      metrics: {
        network_stats: { bytes_in: 0, bytes_out: 100, packets_in: 0, packets_out: 1 },
        tcp_connections: {
          established_connections: {
            connections: [
              { remote_addr: '[2001:DB8:0:0:0:0:0:1]:443', local_interface: 'eth0', local_port: 50000 },
              { remote_addr: '[::ffff:10.1.2.3]:80', local_interface: 'eth0', local_port: 50001 },
              { remote_addr: '10.1.2.3:8883', local_interface: 'eth0', local_port: 50002 },
            ],
            total: 75,
          },
        },
        listening_tcp_ports: { ports: [{ port: 22, interface: 'eth0' }, { port: 22, interface: 'wlan0' }], total: 60 },
      },
      custom_metrics: { cpu_usage: [{ number: 12.5 }] },
    });
    assert.deepStrictEqual(values(r), {
      'aws:all-bytes-in': { count: 0 },
      'aws:all-bytes-out': { count: 100 },
      'aws:all-packets-in': { count: 0 },
      'aws:all-packets-out': { count: 1 },
      'aws:destination-ip-addresses': { cidrs: ['2001:db8::1', '10.1.2.3'] },
      // total wins over the sampled list's length
      'aws:num-established-tcp-connections': { count: 75 },
      'aws:listening-tcp-ports': { ports: [22] },
      'aws:num-listening-tcp-ports': { count: 60 },
      cpu_usage: { number: 12.5 },
    });
  });

  test('counts from list lengths when no total is given; an empty list is a datapoint', () => {
    const r = parseJson({
      hed: { rid: 1, v: '1.0' },
      met: { tc: { ec: { cs: [{ rad: '1.2.3.4:1' }, { rad: '1.2.3.5:1' }, { rad: '1.2.3.4:2' }] } }, tp: { pts: [] }, up: { t: 4 } },
    });
    assert.deepStrictEqual(values(r), {
      'aws:destination-ip-addresses': { cidrs: ['1.2.3.4', '1.2.3.5'] },
      'aws:num-established-tcp-connections': { count: 3 },
      'aws:listening-tcp-ports': { ports: [] },
      'aws:num-listening-tcp-ports': { count: 0 },
      'aws:num-listening-udp-ports': { count: 4 },
    });
  });

  test('established_connections given directly as the list of connections', () => {
    const r = parseJson({ hed: { rid: 1, v: '1.0' }, met: { tc: { ec: [{ rad: '8.8.8.8:53' }] } } });
    assert.deepStrictEqual(values(r), { 'aws:destination-ip-addresses': { cidrs: ['8.8.8.8'] }, 'aws:num-established-tcp-connections': { count: 1 } });
  });

  test('unbracketed IPv6 "addr:port" splits at the last colon; a zone is dropped', () => {
    const r = parseJson({ hed: { rid: 1, v: '1.0' }, met: { tc: { ec: { cs: [{ rad: '2001:db8::1:443' }, { rad: 'fe80::1%eth0:22' }, { rad: '[fe80::2%25]:22' }] } } } });
    assert.deepStrictEqual(values(r)['aws:destination-ip-addresses'], { cidrs: ['2001:db8::1', 'fe80::1', 'fe80::2'] });
  });

  test('custom metrics of each type, as the embedded C demo writes them (custom metrics alone suffice)', () => {
    const r = parseJson({
      header: { report_id: 2, version: '1.0' },
      custom_metrics: {
        cpu_usage: [{ number: -3 }],
        temperatures: [{ number_list: [21.5, 22, -1] }],
        processes: [{ string_list: ['sshd', 'agent'] }],
        peers: [{ ip_list: ['10.0.0.1', '10.0.0.1', '2001:DB8::/32', '192.168.1.77/24'] }],
      },
    });
    assert.deepStrictEqual(values(r), {
      cpu_usage: { number: -3 },
      temperatures: { numbers: [21.5, 22, -1] },
      processes: { strings: ['sshd', 'agent'] },
      peers: { cidrs: ['10.0.0.1', '2001:db8::/32', '192.168.1.0/24'] },
    });
  });

  test('the short name cmet, and an empty metrics block', () => {
    assert.deepStrictEqual(values(parseCbor({ hed: { rid: 3, v: '2.1' }, cmet: { cpu_usage: [{ number: 1 }] } })), { cpu_usage: { number: 1 } });
    const r = parseJson({ hed: { rid: 3, v: '1.0' }, met: {} });
    assert.equal(r.report?.values.size, 0);
  });

  test('fields the specification does not name are ignored', () => {
    const r = parseJson({ header: { report_id: 1, version: '1.1', extra: true }, metrics: { network_stats: { bytes_in: 5, drops: 3 }, future_block: {} } });
    assert.deepStrictEqual(values(r), { 'aws:all-bytes-in': { count: 5 } });
  });

  test('CBOR with float-encoded integers and a 64-bit report id that fits', () => {
    const r = parseMetricsReport(Uint8Array.from(Buffer.from('a2 63 686564 a2 63 726964 1b 0000018bcfe56800 61 76 63 312e30 63 6d6574 a1 62 6e73 a1 62 6269 f9 3c00'.replace(/ /g, ''), 'hex')), 'cbor', custom);
    assert.equal(r.report?.reportId, 1700000000000);
    assert.deepStrictEqual(values(r), { 'aws:all-bytes-in': { count: 1 } });
  });
});

describe('parseMetricsReport: rejected reports name the field and why', () => {
  const head = { rid: 1, v: '1.0' };
  const cases: [string, unknown, RegExp][] = [
    ['a top-level array', [1], /The report must be a JSON object, not an array/],
    ['no header', { metrics: {} }, /header \(short name hed\) is required/],
    ['a header that is not an object', { header: 'x', metrics: {} }, /header must be an object, not the string "x"/],
    ['no report id', { hed: { v: '1.0' }, met: {} }, /hed\.report_id \(short name hed\.rid\) is required/],
    ['a string report id', { header: { report_id: '12', version: '1.0' }, metrics: {} }, /header\.report_id must be a non-negative integer, not the string "12"/],
    ['a fractional report id', { hed: { rid: 1.5, v: '1.0' }, met: {} }, /hed\.rid must be a non-negative integer, not 1\.5/],
    ['a negative report id', { hed: { rid: -1, v: '1.0' }, met: {} }, /hed\.rid must be a non-negative integer, not -1/],
    ['no version', { hed: { rid: 1 }, met: {} }, /hed\.version \(short name hed\.v\) is required/],
    ['a numeric version', { hed: { rid: 1, v: 1.0 }, met: {} }, /hed\.v must be a string "Major\.Minor" such as "1\.0", not 1/],
    ['a version without a minor', { hed: { rid: 1, v: '1' }, met: {} }, /hed\.v must be a string "Major\.Minor"/],
    ['a version with three parts', { hed: { rid: 1, v: '1.0.0' }, met: {} }, /hed\.v must be a string "Major\.Minor"/],
    ['neither metrics nor custom metrics', { hed: head }, /must have metrics \(short name met\) or custom_metrics \(short name cmet\)/],
    ['both long and short names of a field', { header: head, hed: head, met: {} }, /header and hed are the long and short names of one field/],
    ['both names inside a block', { hed: head, met: { ns: { bi: 1, bytes_in: 2 } } }, /met\.ns\.bytes_in and met\.ns\.bi are the long and short names/],
    ['metrics as an array', { hed: head, met: [] }, /met must be an object, not an array/],
    ['a negative delta', { hed: head, met: { ns: { bo: -5 } } }, /met\.ns\.bo must be a non-negative integer, not -5/],
    ['a fractional byte count', { hed: head, met: { network_stats: { bytes_in: 1.5 } } }, /met\.network_stats\.bytes_in must be a non-negative integer, not 1\.5/],
    ['a byte count as a string', { hed: head, met: { ns: { pi: '7' } } }, /met\.ns\.pi must be a non-negative integer, not the string "7"/],
    ['ports that are not a list', { hed: head, met: { tp: { pts: { pt: 1 } } } }, /met\.tp\.pts must be an array, not an object/],
    ['a port item without a port', { hed: head, met: { tp: { pts: [{ if: 'eth0' }] } } }, /met\.tp\.pts\[0\]\.port \(short name met\.tp\.pts\[0\]\.pt\) is required/],
    ['port 0 on a listening port', { hed: head, met: { up: { pts: [{ pt: 53 }, { pt: 0 }] } } }, /met\.up\.pts\[1\]\.pt must be a port number from 1 to 65535, not 0/],
    ['a port above 65535', { hed: head, met: { listening_tcp_ports: { ports: [{ port: 70000 }] } } }, /met\.listening_tcp_ports\.ports\[0\]\.port must be a port number from 1 to 65535, not 70000/],
    ['a port as a string', { hed: head, met: { tp: { pts: [{ pt: '22' }] } } }, /met\.tp\.pts\[0\]\.pt must be a port number/],
    ['an interface that is not a string', { hed: head, met: { tp: { pts: [{ pt: 22, if: 0 }] } } }, /met\.tp\.pts\[0\]\.if must be a string, not 0/],
    ['a negative total', { hed: head, met: { tp: { t: -1 } } }, /met\.tp\.t must be a non-negative integer, not -1/],
    ['a connection without a remote address', { hed: head, met: { tc: { ec: { cs: [{ lp: 80 }] } } } }, /met\.tc\.ec\.cs\[0\]\.remote_addr \(short name met\.tc\.ec\.cs\[0\]\.rad\) is required/],
    ['a remote address without a port', { hed: head, met: { tc: { ec: { cs: [{ rad: '192.168.0.1' }] } } } }, /met\.tc\.ec\.cs\[0\]\.rad must be "ip:port" with an IPv4 or IPv6 address/],
    ['a remote address with a bad octet', { hed: head, met: { tc: { ec: { cs: [{ rad: '1.2.3.4:1' }, { rad: '1.2.3.256:80' }] } } } }, /met\.tc\.ec\.cs\[1\]\.rad must be "ip:port".*not the string "1\.2\.3\.256:80"/],
    ['a remote address with a leading-zero octet', { hed: head, met: { tc: { ec: { cs: [{ rad: '01.2.3.4:80' }] } } } }, /cs\[0\]\.rad must be "ip:port"/],
    ['a remote port above 65535', { hed: head, met: { tc: { ec: { cs: [{ rad: '1.2.3.4:65536' }] } } } }, /cs\[0\]\.rad must be "ip:port"/],
    ['a host name for a remote address', { hed: head, met: { tc: { ec: { cs: [{ rad: 'example.com:443' }] } } } }, /cs\[0\]\.rad must be "ip:port"/],
    ['a bracketed IPv4 address', { hed: head, met: { tc: { ec: { cs: [{ rad: '[1.2.3.4]:80' }] } } } }, /cs\[0\]\.rad must be "ip:port"/],
    ['a bad IPv6 address', { hed: head, met: { tc: { ec: { cs: [{ rad: '[2001:db8:::1]:80' }] } } } }, /cs\[0\]\.rad must be "ip:port"/],
    ['a remote address as a number', { hed: head, met: { tc: { ec: { cs: [{ rad: 3232235521 }] } } } }, /cs\[0\]\.rad must be a string "ip:port", not 3232235521/],
    ['a local port above 65535', { hed: head, met: { tc: { ec: { cs: [{ rad: '1.2.3.4:1', lp: 65536 }] } } } }, /cs\[0\]\.lp must be a port number from 0 to 65535, not 65536/],
    ['an unknown custom metric', { hed: head, cmet: { battery: [{ number: 3 }] } }, /cmet\.battery: 'battery' is not a custom metric defined in this account and region/],
    ['a custom number given as a bare value', { hed: head, cmet: { cpu_usage: 3 } }, /cmet\.cpu_usage must be an array, not 3/],
    ['a custom metric with two values', { hed: head, cmet: { cpu_usage: [{ number: 1 }, { number: 2 }] } }, /cmet\.cpu_usage must be an array holding one object, not 2 items/],
    ['a custom number given as a number list', { hed: head, cmet: { cpu_usage: [{ number_list: [1] }] } }, /cmet\.cpu_usage\[0\] must hold "number" for the custom metric 'cpu_usage' of type number, not number_list/],
    ['a custom string list given as an IP list', { hed: head, cmet: { processes: [{ ip_list: ['1.1.1.1'] }] } }, /must hold "string_list" for the custom metric 'processes' of type string-list, not ip_list/],
    ['a custom value with no key', { hed: head, cmet: { temperatures: [{}] } }, /must hold "number_list".*not nothing/],
    ['a custom number that is a string', { hed: head, cmet: { cpu_usage: [{ number: '5' }] } }, /cmet\.cpu_usage\[0\]\.number must be a finite number, not the string "5"/],
    ['a number list holding a string', { hed: head, cmet: { temperatures: [{ number_list: [1, 'x'] }] } }, /cmet\.temperatures\[0\]\.number_list\[1\] must be a finite number/],
    ['a string list holding a number', { hed: head, cmet: { processes: [{ string_list: ['a', 2] }] } }, /cmet\.processes\[0\]\.string_list\[1\] must be a string, not 2/],
    ['an IP list holding a bad address', { hed: head, cmet: { peers: [{ ip_list: ['10.0.0.1', '10.0.0.300'] }] } }, /cmet\.peers\[0\]\.ip_list\[1\] must be an IPv4 or IPv6 address or CIDR block, not the string "10\.0\.0\.300"/],
    ['an IP list holding a bad prefix', { hed: head, cmet: { peers: [{ ip_list: ['10.0.0.0/33'] }] } }, /ip_list\[0\] must be an IPv4 or IPv6 address or CIDR block/],
  ];
  for (const [what, doc, message] of cases) {
    test(`${what} (JSON)`, () => rejects(doc, message));
  }
  test('the same rules in CBOR', () => {
    rejects({ hed: { rid: 1, v: '1.0' }, met: { ns: { bo: -5 } } }, /met\.ns\.bo must be a non-negative integer, not -5/, 'cbor');
    rejects([1], /The report must be a CBOR map, not an array/, 'cbor');
    rejects({ hed: { rid: 1, v: '1.0' }, met: { tp: { pts: [{ pt: new Uint8Array([1]) }] } } }, /pt must be a port number from 1 to 65535, not a byte string/, 'cbor');
    rejects({ hed: { rid: 2n ** 60n, v: '1.0' }, met: {} }, /hed\.rid is 1152921504606846976, more than Warden keeps exactly/, 'cbor');
    rejects({ hed: { rid: 1, v: '1.0' }, met: { ns: { bi: 2n ** 64n - 1n } } }, /met\.ns\.bi is 18446744073709551615, more than Warden keeps exactly/, 'cbor');
  });

  test('a payload that is not JSON, not UTF-8, or not CBOR', () => {
    const bad = (payload: Uint8Array, format: 'json' | 'cbor') => parseMetricsReport(payload, format, custom).error?.message ?? '';
    assert.match(bad(new TextEncoder().encode('{"header": '), 'json'), /^The payload is not valid JSON: /);
    assert.match(bad(Uint8Array.of(0x7b, 0xff, 0x7d), 'json'), /not valid UTF-8/);
    assert.match(bad(new Uint8Array(0), 'json'), /not valid JSON/);
    assert.match(bad(Uint8Array.of(0xa1, 0x61), 'cbor'), /^The payload is not valid CBOR: Declared length 1 does not fit in the remaining 1 byte \(at byte 0\)/);
    assert.match(bad(Uint8Array.of(0xa0, 0x00), 'cbor'), /^The payload is not valid CBOR: 1 trailing byte after the data item \(at byte 1\)/);
    // A JSON report sent to the CBOR topic.
    assert.match(bad(json(LONG), 'cbor'), /^The payload is not valid CBOR|must be a CBOR map/);
  });
});

describe('checkThingName', () => {
  test('names AWS accepts', () => {
    for (const name of ['thing-1', 'a'.repeat(128), 'é'.repeat(64), '水'.repeat(42), 'with space', '𐅑'.repeat(32)]) {
      assert.equal(checkThingName(name), undefined, name);
    }
  });
  test('names AWS rejects', () => {
    assert.match(checkThingName('a'.repeat(129))!, /129 bytes of UTF-8, more than 128/);
    assert.match(checkThingName('é'.repeat(65))!, /130 bytes/);
    assert.match(checkThingName('水'.repeat(43))!, /129 bytes/);
    assert.match(checkThingName('bad\u0000name')!, /control character \(U\+0000\)/);
    assert.match(checkThingName('tab\there')!, /U\+0009/);
    assert.match(checkThingName('del\u007f')!, /U\+007F/);
    assert.match(checkThingName('c1\u0085')!, /U\+0085/);
    assert.match(checkThingName('')!, /empty/);
  });
});
