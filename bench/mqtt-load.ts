import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BenchPki } from './mqtt-certs.js';

/**
 * Load generator child of `bench:mqtt`: `node dist/bench/mqtt-load.js JOB.json`. It plays a
 * slice of the devices (`from`..`to`) and the subscribers of their groups (`groups`), each on its
 * own mutual-TLS connection with its own certificate, speaking MQTT 3.1.1 itself: a few bytes
 * written and parsed per packet, so the second core goes to the broker under test and not to a
 * client library's streams. It prints `ready`, then takes one JSON command a line on stdin and
 * answers each with one JSON line on stdout:
 *
 * - `connect`: the subscribers connect and subscribe (not timed), then every device connects,
 *   `connectConcurrency` handshakes in flight; answers when each has its CONNACK (or failed).
 * - `publish`: for `seconds`, the devices publish `rate` messages a second in all, in turn,
 *   QoS 0 and QoS 1 alternately, to `bench/<thing>/<group>`; each payload starts with its send
 *   time (performance.timeOrigin + now, the machine's clock). Subscribers record the delivery
 *   latency. Answers after `drainMs` more, with counts and a latency histogram.
 * - `watch`: answers as soon as the given devices' connections have closed (or after
 *   `timeoutMs`), for the time from UpdateCertificate INACTIVE to the disconnect, which the
 *   parent measures on its own clock (another process's performance.timeOrigin may be a few ms
 *   off).
 * - `end`: closes everything, answers with this process's CPU time, exits.
 */
export interface MqttLoadJob {
  host: string;
  port: number;
  /** The CA that signed the broker's server certificate. */
  caPem: string;
  pkiFile: string;
  from: number;
  to: number;
  /** Subscriber indices: subscriber g takes the devices [g * groupSize, (g + 1) * groupSize). */
  groups: number[];
  groupSize: number;
  connectConcurrency: number;
  payloadBytes: number;
}

export type MqttCommand =
  | { cmd: 'connect' }
  | { cmd: 'publish'; rate: number; seconds: number; drainMs: number }
  | { cmd: 'watch'; devices: number[]; timeoutMs: number }
  | { cmd: 'end' };

export interface ConnectReply {
  reply: 'connect';
  subscribers: number;
  subscribeFailures: number;
  connected: number;
  failed: number;
  samples: string[];
  startMs: number;
  endMs: number;
  cpuMs: number;
}

export interface PublishReply {
  reply: 'publish';
  sent: number;
  sentQos1: number;
  pubacks: number;
  delivered: number;
  /** Deliveries received before the publishing stopped (the rate's numerator). */
  deliveredInWindow: number;
  seconds: number;
  /** Connections that closed during the phase (a denied publish closes one). */
  closed: number;
  /** Sparse latency histogram: bucket → count (see bucketOf). */
  histogram: Record<string, number>;
  maxMs: number;
  /** The largest latency of the messages sent in each second of the window (where in the window the slow ones were). */
  maxMsBySecond: number[];
  cpuMs: number;
  /** Writes that found the socket's buffer full (the broker was not reading fast enough). */
  backpressured: number;
  /** This load process's own longest event-loop stall in the phase (a stall here delays the deliveries it timestamps). */
  loopLagMaxMs: number;
}

export interface WatchReply {
  reply: 'watch';
  closedAtMs: (number | null)[];
}

export interface EndReply {
  reply: 'end';
  cpuMs: number;
}

/** Latency buckets: 0.05 ms wide below 100 ms, 1 ms wide up to 60 s. */
export function bucketOf(ms: number): number {
  if (ms < 100) return Math.max(0, Math.floor(ms * 20));
  return 2000 + Math.min(59_900, Math.floor(ms - 100));
}

export function bucketUpperMs(b: number): number {
  return b < 2000 ? (b + 1) / 20 : b - 2000 + 101;
}

const now = (): number => performance.timeOrigin + performance.now();

function thing(i: number): string {
  return `bench-${String(i).padStart(7, '0')}`;
}

export function groupName(g: number): string {
  return `g${String(g).padStart(4, '0')}`;
}

export function subscriberId(g: number): string {
  return `bench-sub-${String(g).padStart(4, '0')}`;
}

const deviceTopic = (i: number, groupSize: number): string => `bench/${thing(i)}/${groupName(Math.floor(i / groupSize))}`;

function mqttString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(2 + b.length);
  out.writeUInt16BE(b.length, 0);
  b.copy(out, 2);
  return out;
}

function remainingLength(n: number): number[] {
  const bytes: number[] = [];
  do {
    let d = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) d |= 128;
    bytes.push(d);
  } while (n > 0);
  return bytes;
}

function packet(first: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([first, ...remainingLength(body.length)]), body]);
}

/** CONNECT, MQTT 3.1.1, clean session, no keep-alive (the bench's connections live a few minutes). */
function connectPacket(clientId: string): Buffer {
  return packet(0x10, Buffer.concat([mqttString('MQTT'), Buffer.from([0x04, 0x02, 0x00, 0x00]), mqttString(clientId)]));
}

/** One MQTT connection: TLS, a parser of the few packets a broker sends us, and counters. */
class Connection {
  socket?: tls.TLSSocket;
  private rest?: Buffer;
  private nextId = 1;
  closedAt?: number;
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;
  private markClosed!: () => void;
  onConnack?: (rc: number) => void;
  onSuback?: (granted: number) => void;
  onPublish?: (payload: Buffer, start: number) => void;
  onPuback?: () => void;
  onClose?: () => void;

  constructor(private readonly context: tls.SecureContext, readonly clientId: string) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  open(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host, port, secureContext: this.context, servername: 'localhost' });
      this.socket = socket;
      socket.setNoDelay(true);
      const timer = setTimeout(() => fail(new Error('no CONNACK within 60 s')), 60_000);
      const fail = (e: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      };
      socket.once('secureConnect', () => socket.write(connectPacket(this.clientId)));
      socket.on('data', (d: Buffer) => this.onData(d));
      socket.on('error', (e) => fail(e));
      socket.on('close', () => {
        this.closedAt = now();
        this.markClosed();
        fail(new Error('closed before CONNACK'));
        this.onClose?.();
      });
      this.onConnack = (rc) => {
        clearTimeout(timer);
        if (rc === 0) resolve();
        else fail(new Error(`CONNACK return code ${rc}`));
      };
    });
  }

  subscribe(filter: string): Promise<number> {
    return new Promise((resolve) => {
      this.onSuback = resolve;
      this.socket!.write(packet(0x82, Buffer.concat([Buffer.from([0x00, 0x01]), mqttString(filter), Buffer.from([0x01])])));
    });
  }

  /** Writes a PUBLISH; false when the socket's buffer is full. */
  publish(topic: Buffer, qos: 0 | 1, payload: Buffer): boolean {
    const idBytes = qos ? 2 : 0;
    const length = topic.length + idBytes + payload.length;
    const rl = remainingLength(length);
    const out = Buffer.allocUnsafe(1 + rl.length + length);
    let o = 0;
    out[o++] = 0x30 | (qos << 1);
    for (const b of rl) out[o++] = b;
    o += topic.copy(out, o);
    if (qos) {
      out.writeUInt16BE(this.nextId, o);
      this.nextId = this.nextId === 0xffff ? 1 : this.nextId + 1;
      o += 2;
    }
    payload.copy(out, o);
    return this.socket!.write(out);
  }

  close(): void {
    if (this.socket && !this.socket.destroyed) this.socket.end(Buffer.from([0xe0, 0x00]));
  }

  private onData(d: Buffer): void {
    const b = this.rest ? Buffer.concat([this.rest, d]) : d;
    let off = 0;
    for (;;) {
      if (off + 2 > b.length) break;
      let p = off + 1;
      let len = 0;
      let mul = 1;
      let byte = 0;
      let complete = true;
      do {
        if (p >= b.length) {
          complete = false;
          break;
        }
        byte = b[p++];
        len += (byte & 127) * mul;
        mul *= 128;
      } while (byte & 128);
      if (!complete || p + len > b.length) break;
      this.packetIn(b[off], b, p, p + len);
      off = p + len;
    }
    this.rest = off < b.length ? Buffer.from(b.subarray(off)) : undefined;
  }

  private packetIn(first: number, b: Buffer, start: number, end: number): void {
    switch (first >> 4) {
      case 2: // CONNACK
        this.onConnack?.(b[start + 1]);
        break;
      case 3: {
        // PUBLISH
        const qos = (first >> 1) & 3;
        const topicLength = b.readUInt16BE(start);
        let p = start + 2 + topicLength;
        if (qos > 0) {
          this.socket!.write(Buffer.from([0x40, 0x02, b[p], b[p + 1]]));
          p += 2;
        }
        this.onPublish?.(b.subarray(p, end), 0);
        break;
      }
      case 4: // PUBACK
        this.onPuback?.();
        break;
      case 9: // SUBACK
        this.onSuback?.(b[start + 2]);
        break;
      default:
        break;
    }
  }
}

function reply(r: ConnectReply | PublishReply | WatchReply | EndReply): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

const cpuMs = (c: NodeJS.CpuUsage): number => Math.round((c.user + c.system) / 1000);

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as MqttLoadJob;
  const pki = JSON.parse(readFileSync(job.pkiFile, 'utf8')) as BenchPki;
  // Contexts made ahead (the CA parsed once per credential): the handshakes, not their set-up, are timed.
  const ctx = (c: { certPem: string; keyPem: string }) => tls.createSecureContext({ ca: job.caPem, cert: c.certPem, key: c.keyPem });
  const devices: Connection[] = [];
  const topics: Buffer[] = [];
  for (let i = job.from; i < job.to; i++) {
    devices.push(new Connection(ctx(pki.devices[i]), thing(i)));
    topics.push(mqttString(deviceTopic(i, job.groupSize)));
  }
  const subscribers = job.groups.map((g) => new Connection(ctx(pki.subscribers[g]), subscriberId(g)));

  let histogram = new Map<number, number>();
  let delivered = 0;
  let deliveredInWindow = 0;
  let publishing = false;
  let maxMs = 0;
  let windowStart = 0;
  let maxMsBySecond: number[] = [];
  const onDelivery = (payload: Buffer): void => {
    const sentAt = payload.readDoubleLE(0);
    const ms = now() - sentAt;
    delivered++;
    if (publishing) deliveredInWindow++;
    if (ms > maxMs) maxMs = ms;
    const second = Math.floor((sentAt - windowStart) / 1000);
    if (second >= 0 && ms > (maxMsBySecond[second] ?? 0)) maxMsBySecond[second] = ms;
    const b = bucketOf(ms);
    histogram.set(b, (histogram.get(b) ?? 0) + 1);
  };
  let pubacks = 0;
  let closedDuringPublish = 0;
  for (const d of devices) {
    d.onPuback = () => pubacks++;
    d.onClose = () => {
      if (publishing) closedDuringPublish++;
    };
  }
  for (const s of subscribers) s.onPublish = onDelivery;

  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const c = JSON.parse(line) as MqttCommand;
    if (c.cmd === 'connect') {
      const cpu0 = process.cpuUsage();
      let subscribeFailures = 0;
      await Promise.all(
        subscribers.map(async (s, k) => {
          await s.open(job.host, job.port);
          const granted = await s.subscribe(`bench/+/${groupName(job.groups[k])}`);
          if (granted !== 1) subscribeFailures++;
        }),
      );
      const samples: string[] = [];
      let connected = 0;
      let failed = 0;
      let next = 0;
      const startMs = now();
      await Promise.all(
        Array.from({ length: Math.min(job.connectConcurrency, devices.length) }, async () => {
          while (next < devices.length) {
            const d = devices[next++];
            try {
              await d.open(job.host, job.port);
              connected++;
            } catch (e) {
              failed++;
              if (samples.length < 5) samples.push(`${d.clientId}: ${(e as Error).message}`);
            }
          }
        }),
      );
      reply({ reply: 'connect', subscribers: subscribers.length, subscribeFailures, connected, failed, samples, startMs, endMs: now(), cpuMs: cpuMs(process.cpuUsage(cpu0)) });
    } else if (c.cmd === 'publish') {
      const cpu0 = process.cpuUsage();
      histogram = new Map();
      delivered = 0;
      deliveredInWindow = 0;
      pubacks = 0;
      maxMs = 0;
      maxMsBySecond = [];
      windowStart = now();
      closedDuringPublish = 0;
      const payload = Buffer.alloc(Math.max(16, job.payloadBytes), 0x61);
      let sent = 0;
      let sentQos1 = 0;
      let backpressured = 0;
      let turn = 0;
      const live = devices.flatMap((d, k) => (d.socket && !d.socket.destroyed ? [k] : []));
      const t0 = performance.now();
      const endAt = t0 + c.seconds * 1000;
      const lag = monitorEventLoopDelay({ resolution: 5 });
      lag.enable();
      publishing = true;
      await new Promise<void>((resolve) => {
        if (live.length === 0) return resolve();
        const tick = (): void => {
          const t = performance.now();
          const due = Math.floor(((Math.min(t, endAt) - t0) / 1000) * c.rate);
          while (sent < due) {
            const k = live[turn++ % live.length];
            const d = devices[k];
            if (d.socket!.destroyed) {
              sent++;
              continue;
            }
            const qos = (sent & 1) as 0 | 1;
            payload.writeDoubleLE(now(), 0);
            if (!d.publish(topics[k], qos, payload)) backpressured++;
            if (qos) sentQos1++;
            sent++;
          }
          if (t >= endAt) return resolve();
          setTimeout(tick, 2);
        };
        tick();
      });
      const seconds = (performance.now() - t0) / 1000;
      publishing = false;
      // Wait for the last deliveries: until as many arrived as were sent, or drainMs.
      const drainEnd = performance.now() + c.drainMs;
      while (delivered < sent && performance.now() < drainEnd) await new Promise((r) => setTimeout(r, 20));
      lag.disable();
      reply({
        reply: 'publish',
        sent,
        sentQos1,
        pubacks,
        delivered,
        deliveredInWindow,
        seconds,
        closed: closedDuringPublish,
        histogram: Object.fromEntries(histogram),
        maxMs,
        maxMsBySecond: Array.from(maxMsBySecond, (x) => Math.round(x ?? 0)),
        cpuMs: cpuMs(process.cpuUsage(cpu0)),
        backpressured,
        loopLagMaxMs: Math.round(lag.max / 1e5) / 10,
      });
    } else if (c.cmd === 'watch') {
      const watched = c.devices.map((i) => devices[i - job.from]);
      // Answered as soon as the connections closed (the parent times the answer on its own clock).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(watched.map((d) => d.closed)), new Promise((r) => (timer = setTimeout(r, c.timeoutMs)))]);
      clearTimeout(timer);
      reply({ reply: 'watch', closedAtMs: watched.map((d) => d.closedAt ?? null) });
    } else if (c.cmd === 'end') {
      for (const d of [...devices, ...subscribers]) d.close();
      reply({ reply: 'end', cpuMs: cpuMs(process.cpuUsage()) });
      lines.close();
      break;
    }
  }
  setTimeout(() => process.exit(0), 500).unref();
}

if (process.argv[1]?.endsWith('mqtt-load.js')) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
