/**
 * The Device Defender metrics report a device publishes (JSON or CBOR), parsed into one datapoint
 * per metric, as the document specification of AWS's device-side metrics page lays it out
 * (SEMANTICS.md 7.4) and as AWS's producers write it (Device-Defender-for-AWS-IoT-embedded-sdk's
 * defender.h keys, the Python agent, the embedded C demo's custom metrics):
 *
 *   header / hed            required: report_id / rid (a non-negative integer), version / v ("Major.Minor")
 *   metrics / met           tcp_connections / tc . established_connections / ec
 *                             . connections / cs [ {remote_addr / rad "ip:port", local_port / lp, local_interface / li} ]
 *                             . total / t                  → aws:destination-ip-addresses {cidrs}, aws:num-established-tcp-connections {count}
 *                           listening_tcp_ports / tp, listening_udp_ports / up
 *                             . ports / pts [ {port / pt, interface / if} ], total / t
 *                                                          → aws:listening-tcp-ports {ports}, aws:num-listening-tcp-ports {count} (and udp)
 *                           network_stats / ns . bytes_in / bi, bytes_out / bo, packets_in / pi, packets_out / po
 *                                                          → aws:all-bytes-in {count}, ... (delta values, ≥ 0)
 *   custom_metrics / cmet   { "<name>": [ {number} | {number_list} | {string_list} | {ip_list} ] }
 *                                                          → <name> {number} | {numbers} | {strings} | {cidrs}
 *
 * At least one of metrics and custom_metrics must be present. Each field may use its long or its
 * short name (a report may mix them), but not both at once. Fields the specification does not name
 * are ignored, since minor versions add fields. A count is `total` when the report gives it (agents
 * sample long lists) and the list's length otherwise. Addresses come out in canonical form
 * (deduplicated, IPv6 per RFC 5952); ports deduplicated and sorted. A custom metric must be defined
 * (`customMetricType` answers its type) and its one value must be of that type.
 *
 * A report that breaks a rule is rejected whole, with an InvalidPayload message naming the field by
 * the path the device used ("met.tc.ec.cs[2].rad") and why.
 */
import { Buffer } from 'node:buffer';
import type { CustomMetricType, MetricValue } from '../generated/shapes.js';
import { CborError, decodeCbor } from './cbor.js';
import { formatIpBlock, parseHostPort, parseIpBlock } from './ip.js';

export interface MetricsReport {
  reportId: number;
  version: string;
  /** One datapoint per metric the report carries, keyed by metric name ('aws:all-bytes-out', or the custom metric's name). */
  values: Map<string, MetricValue>;
}

export interface ReportError {
  code: 'InvalidPayload';
  message: string;
}

export type ParsedReport = { report: MetricsReport; error?: undefined } | { error: ReportError; report?: undefined };

class Invalid extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });

type Obj = Record<string, unknown>;

export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'a byte string';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'number') return `${v}`;
  return `${typeof v} ${String(v)}`;
}

const fail = (message: string): never => {
  throw new Invalid(message);
};

/** A field by its long or short name: [value, the key the report used, its path]. */
function field(obj: Obj, path: string, long: string, short: string): [unknown, string] {
  const hasLong = Object.prototype.hasOwnProperty.call(obj, long);
  const hasShort = Object.prototype.hasOwnProperty.call(obj, short);
  if (hasLong && hasShort) fail(`${join(path, long)} and ${join(path, short)} are the long and short names of one field; give only one`);
  const key = hasLong ? long : hasShort ? short : long;
  return [hasLong || hasShort ? obj[key] : undefined, join(path, key)];
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const both = (path: string, long: string, short: string): string => `${join(path, long)} (short name ${join(path, short)})`;

function object(v: unknown, path: string): Obj {
  if (!isObject(v)) fail(`${path} must be an object, not ${describe(v)}`);
  return v as Obj;
}

function array(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(`${path} must be an array, not ${describe(v)}`);
  return v as unknown[];
}

/** A non-negative integer that a number holds exactly. */
function count(v: unknown, path: string): number {
  if (typeof v === 'bigint') {
    if (v < 0n) fail(`${path} must be a non-negative integer, not ${v}`);
    fail(`${path} is ${v}, more than Warden keeps exactly (2^53 - 1)`);
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${path} must be a non-negative integer, not ${describe(v)}`);
  if ((v as number) < 0) fail(`${path} must be a non-negative integer, not ${v}`);
  if ((v as number) > Number.MAX_SAFE_INTEGER) fail(`${path} is ${v}, more than Warden keeps exactly (2^53 - 1)`);
  return v as number;
}

function port(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 65535) fail(`${path} must be a port number from ${min} to 65535, not ${describe(v)}`);
  return v as number;
}

function optionalString(v: unknown, path: string): void {
  if (v !== undefined && typeof v !== 'string') fail(`${path} must be a string, not ${describe(v)}`);
}

function finite(v: unknown, path: string): number {
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path} must be a finite number, not ${describe(v)}`);
  return v as number;
}

const NETWORK_STATS: readonly [string, string, string][] = [
  ['bytes_in', 'bi', 'aws:all-bytes-in'],
  ['bytes_out', 'bo', 'aws:all-bytes-out'],
  ['packets_in', 'pi', 'aws:all-packets-in'],
  ['packets_out', 'po', 'aws:all-packets-out'],
];

function listeningPorts(values: Map<string, MetricValue>, block: unknown, path: string, listMetric: string, countMetric: string): void {
  const o = object(block, path);
  const [ports, portsPath] = field(o, path, 'ports', 'pts');
  const [total, totalPath] = field(o, path, 'total', 't');
  let list: number[] | undefined;
  if (ports !== undefined) {
    const seen = new Set<number>();
    array(ports, portsPath).forEach((item, i) => {
      const at = `${portsPath}[${i}]`;
      const p = object(item, at);
      const [pt, ptPath] = field(p, at, 'port', 'pt');
      if (pt === undefined) fail(`${both(at, 'port', 'pt')} is required`);
      seen.add(port(pt, ptPath, 1));
      const [iface, ifPath] = field(p, at, 'interface', 'if');
      optionalString(iface, ifPath);
    });
    list = [...seen].sort((a, b) => a - b);
    values.set(listMetric, { ports: list });
  }
  if (total !== undefined) values.set(countMetric, { count: count(total, totalPath) });
  else if (list) values.set(countMetric, { count: (ports as unknown[]).length });
}

function tcpConnections(values: Map<string, MetricValue>, block: unknown, path: string): void {
  const tc = object(block, path);
  const [ec, ecPath] = field(tc, path, 'established_connections', 'ec');
  if (ec === undefined) return;
  // The specification's table calls established_connections a list; its examples make it an object
  // holding connections and total. Both are taken.
  let connections: unknown;
  let connectionsPath: string;
  let total: unknown;
  let totalPath = '';
  if (Array.isArray(ec)) {
    connections = ec;
    connectionsPath = ecPath;
  } else {
    const o = object(ec, ecPath);
    [connections, connectionsPath] = field(o, ecPath, 'connections', 'cs');
    [total, totalPath] = field(o, ecPath, 'total', 't');
  }
  let n: number | undefined;
  if (connections !== undefined) {
    const seen = new Set<string>();
    const list = array(connections, connectionsPath);
    list.forEach((item, i) => {
      const at = `${connectionsPath}[${i}]`;
      const c = object(item, at);
      const [rad, radPath] = field(c, at, 'remote_addr', 'rad');
      if (rad === undefined) fail(`${both(at, 'remote_addr', 'rad')} is required`);
      if (typeof rad !== 'string') fail(`${radPath} must be a string "ip:port", not ${describe(rad)}`);
      const hp = parseHostPort(rad as string);
      if (!hp) fail(`${radPath} must be "ip:port" with an IPv4 or IPv6 address ("192.168.0.1:8000", "[2001:db8::1]:443"), not ${describe(rad)}`);
      seen.add(hp!.address);
      const [lp, lpPath] = field(c, at, 'local_port', 'lp');
      if (lp !== undefined) port(lp, lpPath, 0);
      const [li, liPath] = field(c, at, 'local_interface', 'li');
      optionalString(li, liPath);
    });
    values.set('aws:destination-ip-addresses', { cidrs: [...seen] });
    n = list.length;
  }
  if (total !== undefined) n = count(total, totalPath);
  if (n !== undefined) values.set('aws:num-established-tcp-connections', { count: n });
}

/** The key a custom metric's value uses in the report, by the metric's type. */
const CUSTOM_KEYS: Record<CustomMetricType, string> = {
  number: 'number',
  'number-list': 'number_list',
  'string-list': 'string_list',
  'ip-address-list': 'ip_list',
};

function customMetric(name: string, type: CustomMetricType, v: unknown, path: string): MetricValue {
  const items = array(v, path);
  if (items.length !== 1) fail(`${path} must be an array holding one object, not ${items.length} items`);
  const at = `${path}[0]`;
  const o = object(items[0], at);
  const want = CUSTOM_KEYS[type];
  const keys = Object.keys(o);
  if (keys.length !== 1 || keys[0] !== want) {
    const given = keys.length === 0 ? 'nothing' : keys.join(', ');
    fail(`${at} must hold "${want}" for the custom metric '${name}' of type ${type}, not ${given}`);
  }
  const value = o[want];
  const valuePath = `${at}.${want}`;
  switch (type) {
    case 'number':
      return { number: finite(value, valuePath) };
    case 'number-list':
      return { numbers: array(value, valuePath).map((x, i) => finite(x, `${valuePath}[${i}]`)) };
    case 'string-list':
      return {
        strings: array(value, valuePath).map((x, i) => {
          if (typeof x !== 'string') fail(`${valuePath}[${i}] must be a string, not ${describe(x)}`);
          return x as string;
        }),
      };
    case 'ip-address-list': {
      const seen = new Set<string>();
      array(value, valuePath).forEach((x, i) => {
        const b = typeof x === 'string' ? parseIpBlock(x) : undefined;
        if (!b) fail(`${valuePath}[${i}] must be an IPv4 or IPv6 address or CIDR block, not ${describe(x)}`);
        seen.add(formatIpBlock(b!));
      });
      return { cidrs: [...seen] };
    }
  }
}

function decode(payload: Uint8Array, format: 'json' | 'cbor'): unknown {
  if (format === 'cbor') {
    try {
      return decodeCbor(payload);
    } catch (e) {
      if (e instanceof CborError) fail(`The payload is not valid CBOR: ${e.message}`);
      throw e;
    }
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return fail('The payload is not valid UTF-8, so not valid JSON');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(`The payload is not valid JSON: ${(e as Error).message}`);
  }
}

function parse(payload: Uint8Array, format: 'json' | 'cbor', customMetricType: (name: string) => CustomMetricType | undefined): MetricsReport {
  const doc = decode(payload, format);
  if (!isObject(doc)) fail(`The report must be ${format === 'json' ? 'a JSON object' : 'a CBOR map'}, not ${describe(doc)}`);
  const root = doc as Obj;

  const [header, headerPath] = field(root, '', 'header', 'hed');
  if (header === undefined) fail(`${both('', 'header', 'hed')} is required`);
  const h = object(header, headerPath);
  const [rid, ridPath] = field(h, headerPath, 'report_id', 'rid');
  if (rid === undefined) fail(`${both(headerPath, 'report_id', 'rid')} is required`);
  const reportId = count(rid, ridPath);
  const [version, versionPath] = field(h, headerPath, 'version', 'v');
  if (version === undefined) fail(`${both(headerPath, 'version', 'v')} is required`);
  if (typeof version !== 'string' || !/^[0-9]+\.[0-9]+$/.test(version)) fail(`${versionPath} must be a string "Major.Minor" such as "1.0", not ${describe(version)}`);

  const [metrics, metricsPath] = field(root, '', 'metrics', 'met');
  const [custom, customPath] = field(root, '', 'custom_metrics', 'cmet');
  if (metrics === undefined && custom === undefined) fail(`The report must have ${both('', 'metrics', 'met')} or ${both('', 'custom_metrics', 'cmet')}`);

  const values = new Map<string, MetricValue>();
  if (metrics !== undefined) {
    const m = object(metrics, metricsPath);
    const [tc, tcPath] = field(m, metricsPath, 'tcp_connections', 'tc');
    if (tc !== undefined) tcpConnections(values, tc, tcPath);
    const [tp, tpPath] = field(m, metricsPath, 'listening_tcp_ports', 'tp');
    if (tp !== undefined) listeningPorts(values, tp, tpPath, 'aws:listening-tcp-ports', 'aws:num-listening-tcp-ports');
    const [up, upPath] = field(m, metricsPath, 'listening_udp_ports', 'up');
    if (up !== undefined) listeningPorts(values, up, upPath, 'aws:listening-udp-ports', 'aws:num-listening-udp-ports');
    const [ns, nsPath] = field(m, metricsPath, 'network_stats', 'ns');
    if (ns !== undefined) {
      const o = object(ns, nsPath);
      for (const [long, short, metric] of NETWORK_STATS) {
        const [v, vPath] = field(o, nsPath, long, short);
        if (v !== undefined) values.set(metric, { count: count(v, vPath) });
      }
    }
  }
  if (custom !== undefined) {
    const c = object(custom, customPath);
    for (const name of Object.keys(c)) {
      const path = `${customPath}.${name}`;
      const type = customMetricType(name);
      if (!type) fail(`${path}: '${name}' is not a custom metric defined in this account and region`);
      values.set(name, customMetric(name, type!, c[name], path));
    }
  }
  return { reportId, version: version as string, values };
}

/**
 * Parses a metrics report. `customMetricType` answers the type of a custom metric defined in the
 * reporting thing's account and region (undefined when there is none of that name).
 */
export function parseMetricsReport(payload: Uint8Array, format: 'json' | 'cbor', customMetricType: (name: string) => CustomMetricType | undefined): ParsedReport {
  try {
    return { report: parse(payload, format, customMetricType) };
  } catch (e) {
    if (e instanceof Invalid) return { error: { code: 'InvalidPayload', message: e.message } };
    throw e;
  }
}

/**
 * Why a thing name cannot report metrics, or undefined when it can: AWS rejects reports whose thing
 * name has control characters or is longer than 128 bytes of UTF-8 (SEMANTICS.md 7.1).
 */
export function checkThingName(name: string): string | undefined {
  if (name.length === 0) return 'The thing name is empty';
  const control = /\p{Cc}/u.exec(name);
  if (control) return `The thing name has a control character (U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 128) return `The thing name is ${bytes} bytes of UTF-8, more than 128`;
  return undefined;
}
