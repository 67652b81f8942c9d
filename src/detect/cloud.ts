import { topicMatches } from '../base/mqtt-topics.js';
import type { Scope } from '../base/scope.js';
import type { MetricValue } from '../generated/shapes.js';
import type { StoreTx } from '../store/store.js';
import { parseIpBlock } from './ip.js';
import type { Rule } from './profile-cache.js';
import { checkThingName, isObject } from './report.js';
import { PERIOD_MS, periodOf } from './thresholds.js';

/**
 * Detect's cloud-side metrics: what the broker sees of a device (the messages it publishes and
 * receives, with their topics and sizes, its authorization failures, connection attempts,
 * disconnects and source addresses). The broker (src/broker/cloud-counters.ts), or POST /_warden/cloud-metrics,
 * records that activity per thing and 5-minute period (`recordCloudActivity`); when a period has
 * ended the detector evaluates each thing that had activity in it once, with one datapoint per
 * cloud-side behavior timed at the period's last millisecond (`cloudValue`), so a behavior with a
 * duration sums the periods of its duration.
 */

/** What was seen of one thing: one recording, as the broker (or the endpoint) gives it. */
export interface CloudActivity {
  thingName: string;
  /** Messages the device published: `count` messages (default 1) of `bytes` bytes each, on `topic`. */
  messagesSent?: { topic: string; bytes: number; count?: number }[];
  /** Messages delivered to the device. */
  messagesReceived?: { topic: string; bytes: number; count?: number }[];
  /** Refused connects, publishes and subscribes; `topic` for a publish or subscribe. */
  authorizationFailures?: { topic?: string; count?: number }[];
  /** Connection attempts, successful or not. */
  connectionAttempts?: number;
  disconnects?: number;
  /** The addresses the device connected from. */
  sourceIps?: string[];
}

/** Per topic: messages, their bytes, the smallest and the largest. */
type TopicCounts = Record<string, [count: number, bytes: number, min: number, max: number]>;

/** One recording as stored (detect_cloud_activity.activity), and a period's recordings merged. */
export interface PeriodActivity {
  /** Sent, received: per topic. */
  s?: TopicCounts;
  r?: TopicCounts;
  /** Authorization failures per topic ('' for those without one). */
  a?: Record<string, number>;
  c?: number;
  d?: number;
  ip?: string[];
}

/** The most recordings one request takes; topics and addresses one recording takes. */
export const MAX_ACTIVITIES = 10_000;
const MAX_ITEMS = 1000;
/** AWS IoT: topic names up to 256 bytes; payloads up to 128 KB. */
const MAX_TOPIC_BYTES = 256;
const MAX_MESSAGE_BYTES = 131_072;
const MAX_COUNT = 1_000_000;

/** A request's problem, named by the field's path. */
export class CloudActivityError extends Error {}

/**
 * Checks a body {"activities": [CloudActivity, ...]} (1 to MAX_ACTIVITIES) and answers the
 * activities, or throws CloudActivityError naming the first bad field.
 */
export function parseCloudActivities(body: unknown): CloudActivity[] {
  const fail = (message: string): never => {
    throw new CloudActivityError(message);
  };
  if (!isObject(body)) fail('The request body must be a JSON object {"activities": [...]}');
  const raw = (body as Record<string, unknown>).activities;
  if (!Array.isArray(raw)) fail('activities must be a list');
  const list = raw as unknown[];
  if (list.length < 1 || list.length > MAX_ACTIVITIES) fail(`activities must have between 1 and ${MAX_ACTIVITIES} entries, not ${list.length}`);
  return list.map((item, i) => activity(item, `activities[${i}]`, fail));
}

function activity(item: unknown, at: string, fail: (m: string) => never): CloudActivity {
  if (!isObject(item)) fail(`${at} must be an object`);
  const o = item as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!FIELDS.has(k)) fail(`${at}.${k} is not a field of a cloud activity (${[...FIELDS].join(', ')})`);
  }
  const { thingName } = o;
  if (typeof thingName !== 'string') fail(`${at}.thingName must be a string`);
  const badName = checkThingName(thingName as string);
  if (badName) fail(`${at}.thingName: ${badName}`);
  const out: CloudActivity = { thingName: thingName as string };
  for (const k of ['messagesSent', 'messagesReceived'] as const) {
    if (o[k] === undefined) continue;
    out[k] = items(o[k], `${at}.${k}`, fail).map((m, j) => {
      const p = `${at}.${k}[${j}]`;
      return { topic: topicName(m.topic, `${p}.topic`, fail), bytes: integer(m.bytes, `${p}.bytes`, 0, MAX_MESSAGE_BYTES, fail), count: optionalCount(m.count, `${p}.count`, fail) };
    });
  }
  if (o.authorizationFailures !== undefined) {
    out.authorizationFailures = items(o.authorizationFailures, `${at}.authorizationFailures`, fail).map((f, j) => {
      const p = `${at}.authorizationFailures[${j}]`;
      return { ...(f.topic === undefined ? {} : { topic: topicName(f.topic, `${p}.topic`, fail) }), count: optionalCount(f.count, `${p}.count`, fail) };
    });
  }
  if (o.connectionAttempts !== undefined) out.connectionAttempts = integer(o.connectionAttempts, `${at}.connectionAttempts`, 0, MAX_COUNT, fail);
  if (o.disconnects !== undefined) out.disconnects = integer(o.disconnects, `${at}.disconnects`, 0, MAX_COUNT, fail);
  if (o.sourceIps !== undefined) {
    const ips = o.sourceIps;
    if (!Array.isArray(ips) || ips.length > MAX_ITEMS) fail(`${at}.sourceIps must be a list of at most ${MAX_ITEMS} addresses`);
    out.sourceIps = (ips as unknown[]).map((ip, j) => {
      const block = typeof ip === 'string' && !ip.includes('/') ? parseIpBlock(ip) : undefined;
      if (!block) fail(`${at}.sourceIps[${j}] must be an IPv4 or IPv6 address, not ${JSON.stringify(ip)}`);
      return ip as string;
    });
  }
  return out;
}

const FIELDS = new Set(['thingName', 'messagesSent', 'messagesReceived', 'authorizationFailures', 'connectionAttempts', 'disconnects', 'sourceIps']);

function items(v: unknown, at: string, fail: (m: string) => never): Record<string, unknown>[] {
  if (!Array.isArray(v) || v.length > MAX_ITEMS) fail(`${at} must be a list of at most ${MAX_ITEMS} entries`);
  return (v as unknown[]).map((x, j) => {
    if (!isObject(x)) fail(`${at}[${j}] must be an object`);
    return x as Record<string, unknown>;
  });
}

function integer(v: unknown, at: string, min: number, max: number, fail: (m: string) => never): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${at} must be an integer from ${min} to ${max}, not ${JSON.stringify(v ?? null)}`);
  return v as number;
}

function optionalCount(v: unknown, at: string, fail: (m: string) => never): number {
  return v === undefined ? 1 : integer(v, at, 1, MAX_COUNT, fail);
}

function topicName(v: unknown, at: string, fail: (m: string) => never): string {
  if (typeof v !== 'string' || v.length === 0) fail(`${at} must be a non-empty MQTT topic name`);
  const t = v as string;
  if (t.includes('+') || t.includes('#')) fail(`${at} is a topic name, which has no wildcard (+ or #): ${JSON.stringify(t)}`);
  if (Buffer.byteLength(t, 'utf8') > MAX_TOPIC_BYTES) fail(`${at} is longer than ${MAX_TOPIC_BYTES} bytes`);
  return t;
}

/** Adds one topic's messages (count, bytes, smallest, largest) to `into`. */
function addTopic(into: TopicCounts, topic: string, [n, bytes, lo, hi]: TopicCounts[string]): void {
  const e = into[topic];
  if (e) {
    e[0] += n;
    e[1] += bytes;
    e[2] = Math.min(e[2], lo);
    e[3] = Math.max(e[3], hi);
  } else into[topic] = [n, bytes, lo, hi];
}

/** One recording in its stored form. */
export function toPeriodActivity(a: CloudActivity): PeriodActivity {
  const out: PeriodActivity = {};
  const add = (into: TopicCounts, m: { topic: string; bytes: number; count?: number }) => addTopic(into, m.topic, [m.count ?? 1, (m.count ?? 1) * m.bytes, m.bytes, m.bytes]);
  if (a.messagesSent?.length) for (const m of a.messagesSent) add((out.s ??= {}), m);
  if (a.messagesReceived?.length) for (const m of a.messagesReceived) add((out.r ??= {}), m);
  if (a.authorizationFailures?.length) {
    out.a = {};
    for (const f of a.authorizationFailures) out.a[f.topic ?? ''] = (out.a[f.topic ?? ''] ?? 0) + (f.count ?? 1);
  }
  if (a.connectionAttempts) out.c = a.connectionAttempts;
  if (a.disconnects) out.d = a.disconnects;
  if (a.sourceIps?.length) out.ip = [...new Set(a.sourceIps)];
  return out;
}

/** The recordings of one thing's period, merged. */
export function mergeActivity(list: readonly PeriodActivity[]): PeriodActivity {
  const out: PeriodActivity = {};
  const addTopics = (into: TopicCounts, from: TopicCounts) => {
    for (const [t, e] of Object.entries(from)) addTopic(into, t, e);
  };
  const ips = new Set<string>();
  for (const a of list) {
    if (a.s) addTopics((out.s ??= {}), a.s);
    if (a.r) addTopics((out.r ??= {}), a.r);
    if (a.a) for (const [t, n] of Object.entries(a.a)) (out.a ??= {})[t] = (out.a?.[t] ?? 0) + n;
    if (a.c) out.c = (out.c ?? 0) + a.c;
    if (a.d) out.d = (out.d ?? 0) + a.d;
    for (const ip of a.ip ?? []) ips.add(ip);
  }
  if (ips.size) out.ip = [...ips];
  return out;
}

/** The time of a period's cloud-side datapoints: its last millisecond. */
export const datapointTime = (periodStart: number): number => periodStart + PERIOD_MS - 1;

/**
 * Records activities seen now (each in the period `now` falls in), in the caller's transaction.
 * The broker's batched writes and the endpoint both come here.
 */
export async function recordCloudActivity(tx: StoreTx, scope: Scope, activities: readonly CloudActivity[], now: number): Promise<void> {
  await recordPeriodActivity(
    tx,
    scope,
    periodOf(now),
    activities.map((a) => ({ thingName: a.thingName, activity: toPeriodActivity(a) })),
  );
}

/** Records activities already in their stored form (the broker counts in it), of the period starting at `periodStart`. */
export async function recordPeriodActivity(tx: StoreTx, scope: Scope, periodStart: number, rows: readonly { thingName: string; activity: PeriodActivity }[]): Promise<void> {
  await tx.detectCloud.append(
    scope,
    rows.map((r) => ({ thingName: r.thingName, periodStart, activity: r.activity })),
  );
}

/**
 * Adds one message of `bytes` bytes on `topic` to a recording, sent (`s`) or received (`r`). A
 * recording keeps at most MAX_ITEMS topics a direction (as a request's recording does); further
 * topics count under the empty topic, which only behaviors without a dimension (and NOT_IN ones) see.
 */
export function addMessage(into: PeriodActivity, direction: 's' | 'r', topic: string, bytes: number): void {
  const counts = (into[direction] ??= {});
  const key = counts[topic] || Object.keys(counts).length < MAX_ITEMS ? topic : '';
  addTopic(counts, key, [1, bytes, bytes, bytes]);
}

/** Whether a topic is within a rule's dimension (every topic when it has none). */
const within = (rule: Pick<Rule, 'topics'>, topic: string): boolean => {
  const t = rule.topics;
  if (!t) return true;
  return t.filters.some((f) => topicMatches(f, topic)) === t.matching;
};

/**
 * The datapoint of a cloud-side behavior for one thing's period, or undefined when the period gives
 * it none. Counts (messages sent and received, authorization failures, connection attempts,
 * disconnects) are the period's, 0 included, over the topics within the behavior's dimension (an
 * authorization failure without a topic, a refused connect, counts only without a dimension).
 * aws:message-byte-size, "the size of each message transmitted from a device": a static behavior
 * compares the period's message that tests it hardest (the largest against less-than and
 * less-than-equals, the smallest against greater-than and greater-than-equals), so a period
 * conforms when every message does; statistical and ML behaviors take the period's cumulative
 * size, as AWS's statistical example does ("cumulative size of messages transmitted"). No message
 * within the dimension: no datapoint. aws:source-ip-address: the addresses of the period (none: no
 * datapoint). A retained metric (no criteria) takes what statistical behaviors take.
 */
export function cloudValue(a: PeriodActivity, rule: Pick<Rule, 'topics' | 'spec'> & Partial<Pick<Rule, 'criteria'>>): MetricValue | undefined {
  const sumTopics = (counts: TopicCounts | undefined): number => {
    let n = 0;
    for (const [t, e] of Object.entries(counts ?? {})) if (within(rule, t)) n += e[0];
    return n;
  };
  switch (rule.spec.name) {
    case 'aws:num-messages-sent':
      return { count: sumTopics(a.s) };
    case 'aws:num-messages-received':
      return { count: sumTopics(a.r) };
    case 'aws:num-authorization-failures': {
      let n = 0;
      for (const [t, c] of Object.entries(a.a ?? {})) if (t === '' ? !rule.topics : within(rule, t)) n += c;
      return { count: n };
    }
    case 'aws:num-connection-attempts':
      return { count: a.c ?? 0 };
    case 'aws:num-disconnects':
      return { count: a.d ?? 0 };
    case 'aws:message-byte-size': {
      let seen = false;
      let total = 0;
      let lo = Infinity;
      let hi = -Infinity;
      for (const [t, [, bytes, min, max]] of Object.entries(a.s ?? {})) {
        if (!within(rule, t)) continue;
        seen = true;
        total += bytes;
        lo = Math.min(lo, min);
        hi = Math.max(hi, max);
      }
      if (!seen) return undefined;
      if (rule.criteria?.criteriaType !== 'STATIC') return { count: total };
      const op = rule.criteria.operator;
      return { count: op === 'less-than' || op === 'less-than-equals' ? hi : lo };
    }
    case 'aws:source-ip-address':
      return a.ip?.length ? { cidrs: a.ip } : undefined;
    default:
      return undefined;
  }
}
