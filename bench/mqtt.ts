import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, connect as netConnect, type AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../src/base/paths.js';
import { EngineClient, type EngineCall } from './engine-client.js';
import { makePki, type BenchPki } from './mqtt-certs.js';
import { bucketUpperMs, type ConnectReply, type EndReply, type MqttCommand, type MqttLoadJob, type PublishReply, type WatchReply } from './mqtt-load.js';
import { benchRun, dropSchema, envBackend } from './pg-schema.js';
import { keepProfile } from './profile-summary.js';
import { canPin, cpuSeconds, envFlag, envInt, loadAverage, log, procMemory, round, startServer, type ServerProcess } from './procs.js';
import { ACCOUNT, REGION, thingName } from './registry-client.js';

/**
 * `npm run bench:mqtt`: Warden's MQTT broker under a fleet. BENCH_DEVICES (5,000) devices, each
 * with its own EC P-256 key and certificate (signed by a bench CA made here, registered with
 * RegisterCertificateWithoutCA, a thing per device with the certificate as its principal, and one
 * policy scoped by `${iot:Connection.Thing.ThingName}`), and one subscriber per 100 devices (its
 * own certificate and policy), all connected at once over mutual TLS to a `warden serve` process;
 * then BENCH_SECONDS (20) of publishing at BENCH_RATE (10,000) messages a second in all, QoS 0 and
 * QoS 1 alternately, each device to `bench/<thing>/<group>`, each subscriber on
 * `bench/+/<group>` (exactly its 100 devices). Then UpdateCertificate INACTIVE for a few
 * connected devices, timed to their disconnect. Before the measured window, BENCH_WARMUP_SECONDS (3)
 * of the same load, its figures printed apart (`warmup`): every device's first publishes and a
 * fresh process's unoptimised code, which the goal's steady window leaves out. The same load (same certificates, connections,
 * offered rate, packets) then runs against a Mosquitto started here with TLS and no ACL, the
 * anchor of the ratio.
 *
 * The load is BENCH_WORKERS (2) processes of mqtt-load.ts speaking MQTT 3.1.1 over node:tls
 * themselves. On two CPUs or more each broker is kept on CPU 0 and the load on the others
 * (BENCH_PIN=0 turns that off), so a broker has one core, as Mosquitto (single-threaded) uses.
 * Prints one JSON object: connections per second, deliveries per second, publish-to-delivery p50
 * and p99, the ratio to Mosquitto, the disconnect time, each broker's peak RSS and CPU, and the
 * load processes' CPU; set-up time apart. BENCH_BACKEND=postgres runs Warden on PostgreSQL;
 * BENCH_PROFILE=1 runs it under `node --cpu-prof` and summarises the profile; BENCH_NODE_FLAGS adds node flags to Warden's.
 */
const GOALS = { connected: 'all', deliveredRatio: 0.5, p99Ms: 50, disconnectMs: 1000, peakRssMB: 1024 };
const GROUP = 100;
const POLICY_DEVICE = 'bench-device';
const POLICY_SUBSCRIBER = 'bench-subscriber';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = netConnect({ host: '127.0.0.1', port }, () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const now = (): number => performance.timeOrigin + performance.now();

/** Nanoseconds a process has run and waited to run (its threads' run queue), from /proc/<pid>/schedstat (Linux); NaN elsewhere. */
function schedstat(pid: number): { runNs: number; waitNs: number } {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { runNs: run, waitNs: wait };
  } catch {
    return { runNs: NaN, waitNs: NaN };
  }
}

/** The share (%) of `seconds` the process spent runnable but waiting for a CPU: other work on its CPU (a shared machine), not its own. */
const waitPct = (a: { waitNs: number }, b: { waitNs: number }, seconds: number): number => round((b.waitNs - a.waitNs) / 1e7 / seconds, 1);

const children = new Set<ChildProcessWithoutNullStreams>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** One load process: commands on its stdin, one JSON reply line each on its stdout. */
class LoadWorker {
  private readonly waiting: ((line: string) => void)[] = [];
  private readonly exited: Promise<void>;
  private stderr = '';

  private constructor(readonly child: ChildProcessWithoutNullStreams, readonly name: string) {
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
  }

  static start(name: string, jobFile: string, cpuList?: string): Promise<LoadWorker> {
    const root = projectRoot();
    const args = [join(root, 'dist', 'bench', 'mqtt-load.js'), jobFile];
    const child = cpuList === undefined ? spawn(process.execPath, args, { cwd: root }) : spawn('taskset', ['-c', cpuList, process.execPath, ...args], { cwd: root });
    children.add(child);
    const w = new LoadWorker(child, name);
    child.stderr.on('data', (d: Buffer) => {
      w.stderr += d.toString();
      process.stderr.write(`[${name}] ${d}`);
    });
    const lines = createInterface({ input: child.stdout });
    return new Promise((resolve, reject) => {
      let ready = false;
      lines.on('line', (line) => {
        if (!ready && line === 'ready') {
          ready = true;
          return resolve(w);
        }
        w.waiting.shift()?.(line);
      });
      child.once('close', (code, signal) => {
        children.delete(child);
        const e = new Error(`${name} exited (code ${code}, signal ${signal})${w.stderr ? `: ${w.stderr.trim().slice(-2000)}` : ''}`);
        if (!ready) reject(e);
        for (const f of w.waiting.splice(0)) f(JSON.stringify({ error: e.message }));
      });
    });
  }

  send<T>(c: MqttCommand): Promise<T> {
    return new Promise((resolve, reject) => {
      this.waiting.push((line) => {
        const r = JSON.parse(line) as T & { error?: string };
        if (r.error) reject(new Error(r.error));
        else resolve(r);
      });
      this.child.stdin.write(`${JSON.stringify(c)}\n`);
    });
  }

  async stop(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Runs `f` over `items`, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, f: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await f(items[i], i);
      }
    }),
  );
}

/** Policies, things, certificates and attachments through the API. */
async function registerFleet(api: EngineClient, pki: BenchPki, concurrency: number): Promise<void> {
  const arn = (kind: string, name: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${kind}/${name}`;
  const device = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', '${iot:Connection.Thing.ThingName}') },
      { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: arn('topic', 'bench/${iot:Connection.Thing.ThingName}/*') },
    ],
  };
  const subscriber = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', 'bench-sub-*') },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter', 'bench/+/*') },
      { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic', 'bench/*') },
    ],
  };
  for (const [name, doc] of [[POLICY_DEVICE, device], [POLICY_SUBSCRIBER, subscriber]] as const) {
    await api.json({ method: 'POST', path: `/policies/${name}`, body: JSON.stringify({ policyDocument: JSON.stringify(doc) }) }, 'CreatePolicy');
  }
  const register = async (certPem: string, id: string): Promise<string> => {
    const r = await api.json<{ certificateId?: string; certificateArn: string }>(
      { method: 'POST', path: '/certificate/register-no-ca', body: JSON.stringify({ certificatePem: certPem, status: 'ACTIVE' }) },
      'RegisterCertificateWithoutCA',
    );
    if (r.certificateId !== id) throw new Error(`RegisterCertificateWithoutCA: expected id ${id}, got ${r.certificateId}`);
    return r.certificateArn;
  };
  const attach = (policy: string, target: string): Promise<unknown> => api.json({ method: 'PUT', path: `/target-policies/${policy}`, body: JSON.stringify({ target }) }, 'AttachPolicy');
  let done = 0;
  const progress = setInterval(() => log(`registered ${done}/${pki.devices.length} devices`), 10_000);
  try {
    await pool(pki.devices, concurrency, async (c, i) => {
      const thing = thingName(i);
      await api.json({ method: 'POST', path: `/things/${thing}`, body: '{}' }, 'CreateThing');
      const certArn = await register(c.certPem, c.id);
      await attach(POLICY_DEVICE, certArn);
      const call: EngineCall = { method: 'PUT', path: `/things/${thing}/principals`, headers: { 'x-amzn-principal': certArn } };
      await api.json(call, 'AttachThingPrincipal');
      done++;
    });
    await pool(pki.subscribers, concurrency, async (c) => {
      await attach(POLICY_SUBSCRIBER, await register(c.certPem, c.id));
    });
  } finally {
    clearInterval(progress);
  }
}

interface Placement {
  broker: string;
  load: string;
}

interface Target {
  name: 'warden' | 'mosquitto';
  port: number;
  caPem: string;
  pid: number;
  /** Warden's HTTP URL: its /metrics tells the event loop's delays and GC time over the publish window. */
  url?: string;
}

/** The event loop's delay and the GC's time of a Warden process, from its Prometheus metrics. */
interface LoopFigures {
  eventLoopLagMaxMs: number;
  eventLoopLagP99Ms: number;
  gcSeconds: Record<string, number>;
}

/**
 * Reads Warden's /metrics: prom-client's event-loop delay (reset at every read, so a read before
 * and after a window gives the window's) and its GC time by kind (totals, subtracted by the caller).
 */
async function loopFigures(url: string): Promise<LoopFigures | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const value = (name: string): number => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);
    const gcSeconds: Record<string, number> = {};
    for (const m of text.matchAll(/^warden_nodejs_gc_duration_seconds_sum\{kind="([a-z]+)"\} ([0-9.e+-]+)/gm)) gcSeconds[m[1]] = Number(m[2]);
    return { eventLoopLagMaxMs: round(1000 * value('warden_nodejs_eventloop_lag_max_seconds'), 1), eventLoopLagP99Ms: round(1000 * value('warden_nodejs_eventloop_lag_p99_seconds'), 1), gcSeconds };
  } catch {
    return undefined;
  }
}

/** The percentile `q` of histograms (bucket → count) added together; the bucket's upper bound. */
function percentile(h: Map<number, number>, total: number, q: number): number {
  if (total === 0) return 0;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const b of [...h.keys()].sort((x, y) => x - y)) {
    seen += h.get(b)!;
    if (seen >= rank) return bucketUpperMs(b);
  }
  return 0;
}

interface LoadFigures {
  devices: number;
  subscribers: number;
  connected: number;
  failed: number;
  failedSamples: string[];
  subscribeFailures: number;
  connectSeconds: number;
  connectionsPerSecond: number;
  connectBrokerCpuPct: number;
  /** Broker CPU per connection (TLS handshake, authentication, policies), which does not depend on how much of the machine the broker got. */
  connectBrokerCpuMsPerConnection: number;
  connectBrokerRunQueueWaitPct: number;
  connectLoadCpuPct: number;
  /** The broker's resident memory with every device connected, before any publish. */
  rssAfterConnectMB?: number;
  /** The warm-up before the measured window (the same load for BENCH_WARMUP_SECONDS): a fresh process's first seconds, apart. */
  warmup?: { seconds: number; delivered: number; lost: number; p50Ms: number; p99Ms: number; maxMsBySecond: number[] };
  publish: {
    offeredPerSecond: number;
    seconds: number;
    sent: number;
    sentQos1: number;
    pubacks: number;
    delivered: number;
    lost: number;
    deliveredPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    /** The largest latency of the messages sent in each second of the window. */
    maxMsBySecond: number[];
    closedDuringPublish: number;
    backpressuredWrites: number;
    brokerCpuPct: number;
    brokerRunQueueWaitPct: number;
    loadCpuPct: number;
    /** The load processes' own longest event-loop stall (a stall there delays the deliveries they time, whichever the broker). */
    loadLoopLagMaxMs: number;
    deliveriesPerBrokerCpuSecond: number;
    /** Warden only: the event loop's largest and p99 delay over the window, and GC seconds by kind. */
    eventLoopLagMaxMs?: number;
    eventLoopLagP99Ms?: number;
    gcSeconds?: Record<string, number>;
  };
}

/** The load against one broker: every worker connects its share at once, then publishes for `seconds`. */
async function runLoad(target: Target, pkiFile: string, work: string, o: { devices: number; workers: number; rate: number; seconds: number; warmupSeconds: number; payloadBytes: number; connectConcurrency: number; placement?: Placement }): Promise<{ figures: LoadFigures; workers: LoadWorker[]; ranges: [number, number][] }> {
  const groups = Math.ceil(o.devices / GROUP);
  const workers: LoadWorker[] = [];
  const ranges: [number, number][] = [];
  // Whole groups per worker, so that a group's devices and its subscriber share one process (and one clock reading).
  for (let k = 0; k < o.workers; k++) {
    const g0 = Math.floor((groups * k) / o.workers);
    const g1 = Math.floor((groups * (k + 1)) / o.workers);
    if (g1 === g0) continue;
    const job: MqttLoadJob = {
      host: '127.0.0.1',
      port: target.port,
      caPem: target.caPem,
      pkiFile,
      from: g0 * GROUP,
      to: Math.min(o.devices, g1 * GROUP),
      groups: Array.from({ length: g1 - g0 }, (_, j) => g0 + j),
      groupSize: GROUP,
      connectConcurrency: Math.max(1, Math.ceil(o.connectConcurrency / o.workers)),
      payloadBytes: o.payloadBytes,
    };
    const jobFile = join(work, `${target.name}-load-${k}.json`);
    writeFileSync(jobFile, JSON.stringify(job));
    ranges.push([job.from, job.to]);
    workers.push(await LoadWorker.start(`${target.name}-load-${k}`, jobFile, o.placement?.load));
  }
  const cpu0 = cpuSeconds(target.pid);
  const sched0 = schedstat(target.pid);
  const t0 = performance.now();
  const connects = await Promise.all(workers.map((w) => w.send<ConnectReply>({ cmd: 'connect' })));
  const connectWall = (performance.now() - t0) / 1000;
  const connectCpu = cpuSeconds(target.pid) - cpu0;
  const sched1 = schedstat(target.pid);
  const connected = connects.reduce((a, r) => a + r.connected, 0);
  const connectSeconds = (Math.max(...connects.map((r) => r.endMs)) - Math.min(...connects.map((r) => r.startMs))) / 1000;
  log(`${target.name}: ${connected}/${o.devices} devices connected in ${connectSeconds.toFixed(2)} s (${connects.reduce((a, r) => a + r.failed, 0)} failed), broker ${((1000 * connectCpu) / Math.max(1, connected)).toFixed(2)} CPU ms each, waiting for a CPU ${waitPct(sched0, sched1, connectWall)}%`);
  const rssAfterConnectMB = procMemory(target.pid)?.rssMB;
  // A moment for the connects' side effects (connection events, lifecycle messages) to settle.
  await new Promise((r) => setTimeout(r, 1000));
  let warmup: LoadFigures['warmup'];
  if (o.warmupSeconds > 0) {
    const ws = await Promise.all(workers.map((w) => w.send<PublishReply>({ cmd: 'publish', rate: o.rate / workers.length, seconds: o.warmupSeconds, drainMs: 15_000 })));
    const wh = new Map<number, number>();
    for (const r of ws) for (const [b, n] of Object.entries(r.histogram)) wh.set(Number(b), (wh.get(Number(b)) ?? 0) + n);
    const wDelivered = ws.reduce((a, r) => a + r.delivered, 0);
    warmup = {
      seconds: o.warmupSeconds,
      delivered: wDelivered,
      lost: ws.reduce((a, r) => a + r.sent, 0) - wDelivered,
      p50Ms: percentile(wh, wDelivered, 0.5),
      p99Ms: percentile(wh, wDelivered, 0.99),
      maxMsBySecond: Array.from({ length: Math.max(...ws.map((r) => r.maxMsBySecond.length)) }, (_, k) => Math.max(...ws.map((r) => r.maxMsBySecond[k] ?? 0))),
    };
    log(`${target.name}: warm-up of ${o.warmupSeconds} s: p50 ${warmup.p50Ms} ms, p99 ${warmup.p99Ms} ms, largest by second ${warmup.maxMsBySecond.join(', ')} ms`);
  }

  const loop0 = target.url ? await loopFigures(target.url) : undefined;
  const cpu1 = cpuSeconds(target.pid);
  const sched2 = schedstat(target.pid);
  const p0 = performance.now();
  const pubs = await Promise.all(workers.map((w) => w.send<PublishReply>({ cmd: 'publish', rate: o.rate / workers.length, seconds: o.seconds, drainMs: 15_000 })));
  const brokerCpu = cpuSeconds(target.pid) - cpu1;
  const brokerWall = (performance.now() - p0) / 1000;
  const sched3 = schedstat(target.pid);
  const loop1 = target.url ? await loopFigures(target.url) : undefined;
  const h = new Map<number, number>();
  for (const r of pubs) for (const [b, n] of Object.entries(r.histogram)) h.set(Number(b), (h.get(Number(b)) ?? 0) + n);
  const sum = (f: (r: PublishReply) => number) => pubs.reduce((a, r) => a + f(r), 0);
  const delivered = sum((r) => r.delivered);
  const seconds = Math.max(...pubs.map((r) => r.seconds));
  const figures: LoadFigures = {
    devices: o.devices,
    subscribers: groups,
    connected,
    failed: connects.reduce((a, r) => a + r.failed, 0),
    failedSamples: connects.flatMap((r) => r.samples).slice(0, 5),
    subscribeFailures: connects.reduce((a, r) => a + r.subscribeFailures, 0),
    connectSeconds: round(connectSeconds, 3),
    connectionsPerSecond: round(connected / connectSeconds, 1),
    connectBrokerCpuPct: round((100 * connectCpu) / connectWall, 1),
    connectBrokerCpuMsPerConnection: round((1000 * connectCpu) / Math.max(1, connected), 2),
    connectBrokerRunQueueWaitPct: waitPct(sched0, sched1, connectWall),
    connectLoadCpuPct: round(connects.reduce((a, r) => a + r.cpuMs, 0) / 10 / connectWall, 1),
    rssAfterConnectMB,
    warmup,
    publish: {
      offeredPerSecond: o.rate,
      seconds: round(seconds, 2),
      sent: sum((r) => r.sent),
      sentQos1: sum((r) => r.sentQos1),
      pubacks: sum((r) => r.pubacks),
      delivered,
      lost: sum((r) => r.sent) - delivered,
      deliveredPerSecond: round(sum((r) => r.deliveredInWindow) / seconds, 1),
      p50Ms: percentile(h, delivered, 0.5),
      p99Ms: percentile(h, delivered, 0.99),
      maxMs: round(Math.max(...pubs.map((r) => r.maxMs)), 2),
      maxMsBySecond: Array.from({ length: Math.max(...pubs.map((r) => r.maxMsBySecond.length)) }, (_, k) => Math.max(...pubs.map((r) => r.maxMsBySecond[k] ?? 0))),
      closedDuringPublish: sum((r) => r.closed),
      backpressuredWrites: sum((r) => r.backpressured),
      brokerCpuPct: round((100 * brokerCpu) / brokerWall, 1),
      brokerRunQueueWaitPct: waitPct(sched2, sched3, brokerWall),
      loadCpuPct: round(sum((r) => r.cpuMs) / 10 / brokerWall, 1),
      loadLoopLagMaxMs: Math.max(...pubs.map((r) => r.loopLagMaxMs)),
      deliveriesPerBrokerCpuSecond: round(delivered / brokerCpu, 1),
      ...(loop0 && loop1
        ? {
            eventLoopLagMaxMs: loop1.eventLoopLagMaxMs,
            eventLoopLagP99Ms: loop1.eventLoopLagP99Ms,
            gcSeconds: Object.fromEntries(Object.entries(loop1.gcSeconds).map(([k, v]) => [k, round(v - (loop0.gcSeconds[k] ?? 0), 3)])),
          }
        : {}),
    },
  };
  log(`${target.name}: ${figures.publish.deliveredPerSecond} deliveries/s of ${o.rate} offered, p50 ${figures.publish.p50Ms} ms, p99 ${figures.publish.p99Ms} ms, ${figures.publish.lost} lost, broker CPU ${figures.publish.brokerCpuPct}% (waiting for a CPU ${figures.publish.brokerRunQueueWaitPct}%), load CPU ${figures.publish.loadCpuPct}%`);
  return { figures, workers, ranges };
}

async function endWorkers(workers: LoadWorker[]): Promise<number> {
  const ends = await Promise.all(workers.map((w) => w.send<EndReply>({ cmd: 'end' }).catch(() => ({ cpuMs: 0 }))));
  await Promise.all(workers.map((w) => w.stop()));
  return ends.reduce((a, r) => a + r.cpuMs, 0);
}

/** UpdateCertificate INACTIVE for `count` connected devices, one after another: ms from the call to the device seeing its connection close. */
async function timeDisconnects(api: EngineClient, pki: BenchPki, workers: LoadWorker[], ranges: [number, number][], devices: number, count: number): Promise<{ ms: number[]; apiMs: number[] }> {
  const ms: number[] = [];
  const apiMs: number[] = [];
  for (let k = 0; k < count; k++) {
    const i = Math.floor(((k + 0.5) * devices) / count);
    const w = ranges.findIndex(([a, b]) => i >= a && i < b);
    const watching = workers[w].send<WatchReply>({ cmd: 'watch', devices: [i], timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 50)); // the watch is under way before the call
    const t0 = now();
    await api.json({ method: 'PUT', path: `/certificates/${pki.devices[i].id}`, query: { newStatus: 'INACTIVE' } }, 'UpdateCertificate');
    apiMs.push(round(now() - t0, 2));
    // The answer comes on the close event: its arrival, on this process's clock, bounds the disconnect from above (by the pipe's fraction of a millisecond).
    const closedAt = (await watching).closedAtMs[0];
    ms.push(closedAt === null ? Infinity : round(now() - t0, 2));
  }
  return { ms, apiMs };
}

function mosquittoConf(work: string, port: number, pki: BenchPki): string {
  const dir = join(work, 'mosquitto');
  spawnSync('mkdir', ['-p', dir]);
  chmodSync(work, 0o755);
  chmodSync(dir, 0o755);
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o644 });
    return p;
  };
  const conf = [
    `listener ${port} 127.0.0.1`,
    `cafile ${file('ca.pem', pki.caPem)}`,
    `certfile ${file('server.pem', pki.server.certPem)}`,
    `keyfile ${file('server.key', pki.server.keyPem)}`,
    'require_certificate true',
    'allow_anonymous true',
    'max_connections -1',
    // Like aedes: no cap on QoS 1 messages in flight to a subscriber, and room to queue.
    'max_inflight_messages 0',
    'max_queued_messages 1000000',
    'persistence false',
    // Nagle off, as node:tls servers can have it (TCP_NODELAY); otherwise small deliveries wait for ACKs.
    'set_tcp_nodelay true',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    ...(process.getuid?.() === 0 ? ['user root'] : []),
  ];
  return file('mosquitto.conf', `${conf.join('\n')}\n`);
}

function ulimitN(): number {
  const r = spawnSync('bash', ['-c', 'ulimit -n']);
  return Number(r.stdout.toString().trim());
}

async function main(): Promise<number> {
  const root = projectRoot();
  const devices = envInt('BENCH_DEVICES', 5000, 1);
  const seconds = envInt('BENCH_SECONDS', 20, 1, 600);
  const warmupSeconds = envInt('BENCH_WARMUP_SECONDS', 3, 0, 600);
  const rate = envInt('BENCH_RATE', 10_000, 1);
  const workersN = envInt('BENCH_WORKERS', 2, 1, 16);
  const connectConcurrency = envInt('BENCH_CONNECT_CONCURRENCY', 200, 1);
  const payloadBytes = envInt('BENCH_PAYLOAD', 100, 16, 131_072);
  const disconnects = envInt('BENCH_DISCONNECTS', 5, 1, 100);
  const backend = envBackend();
  const mosquittoBin = process.env.BENCH_MOSQUITTO ?? '/usr/sbin/mosquitto';
  const subscribers = Math.ceil(devices / GROUP);
  const fds = ulimitN();
  if (fds < devices + subscribers + 1000) throw new Error(`ulimit -n is ${fds}: ${devices + subscribers} connections need more than ${devices + subscribers + 1000} descriptors in the broker (raise it, or lower BENCH_DEVICES)`);
  const placement: Placement | undefined =
    process.env.BENCH_PIN !== '0' && cpus().length >= 2 && canPin() ? { broker: '0', load: Array.from({ length: cpus().length - 1 }, (_, k) => k + 1).join(',') } : undefined;
  log(placement ? `brokers on CPU ${placement.broker}, load on CPU ${placement.load}` : 'processes not pinned to CPUs');
  const { work, dataDir, profileDir, pg } = benchRun('mqtt', backend, envFlag('BENCH_PROFILE'));
  let warden: ServerProcess | undefined;
  let mosquitto: ChildProcessWithoutNullStreams | undefined;
  let api: EngineClient | undefined;
  const live: LoadWorker[] = [];
  try {
    const s0 = performance.now();
    const pki = await makePki(devices, subscribers);
    const pkiSeconds = (performance.now() - s0) / 1000;
    const pkiFile = join(work, 'pki.json');
    writeFileSync(pkiFile, JSON.stringify(pki));
    log(`${devices + subscribers} EC P-256 keys and certificates in ${pkiSeconds.toFixed(1)} s`);

    // Warden.
    const nodeFlags = [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])];
    let mqttPort = 0;
    // The free port may be taken by another process before Warden listens on it: a few tries.
    for (let attempt = 1; !warden; attempt++) {
      mqttPort = await freePort();
      const args = [...nodeFlags, join(root, 'bin', 'warden.js'), 'serve', '--port', '0', '--mqtt-port', String(mqttPort), '--data-dir', dataDir, '--log-level', 'warn'];
      try {
        warden = await startServer('warden', args, root, pg ? { WARDEN_DATABASE_URL: pg.databaseUrl } : {}, 30_000, placement?.broker);
      } catch (e) {
        if (attempt >= 3 || !/EADDRINUSE/.test((e as Error).message)) throw e;
        log(`port ${mqttPort} was taken meanwhile; another`);
      }
    }
    const wardenPid = warden.child.pid!;
    api = new EngineClient([warden.url], 32);
    const a0 = performance.now();
    await registerFleet(api, pki, 32);
    const apiSeconds = (performance.now() - a0) / 1000;
    log(`registered ${devices} devices and ${subscribers} subscribers through the API in ${apiSeconds.toFixed(1)} s`);
    const wardenCa = await (await fetch(`${warden.url}/_warden/ca.pem`)).text();
    const rssBeforeLoad = procMemory(wardenPid);

    const common = { devices, workers: workersN, rate, seconds, warmupSeconds, payloadBytes, connectConcurrency, placement };
    const w = await runLoad({ name: 'warden', port: mqttPort, caPem: wardenCa, pid: wardenPid, url: warden.url }, pkiFile, work, common);
    live.push(...w.workers);
    const disconnect = await timeDisconnects(api, pki, w.workers, w.ranges, devices, disconnects);
    log(`warden: UpdateCertificate INACTIVE → disconnect ${disconnect.ms.join(', ')} ms`);
    const wardenMem = procMemory(wardenPid);
    const wardenLoadCpuMs = await endWorkers(w.workers);
    live.length = 0;
    api.close();
    api = undefined;
    await warden.stop();
    warden = undefined;
    const profileSummary = profileDir ? keepProfile(profileDir, `warden-bench-mqtt-${process.pid}`, 'warden') : undefined;

    // Mosquitto, the anchor: the same certificates and load, TLS, no policies.
    if (process.env.BENCH_ANCHOR === '0') {
      process.stdout.write(`${JSON.stringify({ benchmark: 'mqtt', devices, warden: w.figures, disconnectMs: disconnect.ms, peakRssMB: wardenMem?.peakRssMB, loadAverage: loadAverage() })}\n`);
      return 0;
    }
    const mosqPort = await freePort();
    const conf = mosquittoConf(work, mosqPort, pki);
    mosquitto = placement ? spawn('taskset', ['-c', placement.broker, mosquittoBin, '-c', conf]) : spawn(mosquittoBin, ['-c', conf]);
    children.add(mosquitto);
    mosquitto.stderr.on('data', (d: Buffer) => process.stderr.write(`[mosquitto] ${d}`));
    mosquitto.stdout.resume();
    const mosqExit = new Promise<never>((_, reject) => mosquitto!.once('exit', (code) => reject(new Error(`mosquitto exited (code ${code}) before listening on ${mosqPort}`))));
    mosqExit.catch(() => undefined);
    await Promise.race([waitForPort(mosqPort, 10_000), mosqExit]);
    const mosqPid = mosquitto.pid!;
    const m = await runLoad({ name: 'mosquitto', port: mosqPort, caPem: pki.caPem, pid: mosqPid }, pkiFile, work, common);
    live.push(...m.workers);
    const mosqMem = procMemory(mosqPid);
    await endWorkers(m.workers);
    live.length = 0;
    mosquitto.kill('SIGTERM');

    const W = w.figures;
    const M = m.figures;
    const ratio = round(W.publish.deliveredPerSecond / M.publish.deliveredPerSecond, 3);
    const disconnectMax = Math.max(...disconnect.ms);
    const peakRssMB = wardenMem?.peakRssMB ?? NaN;
    // A denied publish closes the device's connection and a denied subscription gets 0x80: neither happened.
    const authorised = W.publish.closedDuringPublish === 0 && W.subscribeFailures === 0;
    const result = {
      benchmark: 'mqtt',
      backend,
      devices,
      subscribers,
      offeredPerSecond: rate,
      seconds,
      payloadBytes,
      loadWorkers: w.workers.length,
      connectConcurrency,
      cpuPlacement: placement ?? 'not pinned',
      ulimitN: fds,
      setupSeconds: { certificates: round(pkiSeconds, 1), api: round(apiSeconds, 1) },
      connectionsPerSecond: W.connectionsPerSecond,
      connected: W.connected,
      deliveredPerSecond: W.publish.deliveredPerSecond,
      p50Ms: W.publish.p50Ms,
      p99Ms: W.publish.p99Ms,
      ratioToMosquitto: ratio,
      // The same ratio per CPU second each broker spent: what each would deliver on a core of its own, whatever else ran on the machine.
      ratioPerBrokerCpuSecond: round(W.publish.deliveriesPerBrokerCpuSecond / M.publish.deliveriesPerBrokerCpuSecond, 3),
      disconnectMs: { max: disconnectMax, each: disconnect.ms, updateCertificateApiMs: disconnect.apiMs },
      peakRssMB,
      warden: { ...W, rssBeforeLoadMB: rssBeforeLoad?.rssMB, rssAfterLoadMB: wardenMem?.rssMB, peakRssMB, loadCpuMsTotal: wardenLoadCpuMs },
      mosquitto: { ...M, peakRssMB: mosqMem?.peakRssMB },
      goals: GOALS,
      met: {
        connected: W.connected === devices,
        deliveredRatio: ratio >= GOALS.deliveredRatio,
        everyPacketAuthorised: authorised,
        // Every message reached its subscriber (by the end of the drain, BENCH_SECONDS + 15 s at most).
        allDelivered: W.publish.lost === 0,
        p99Ms: W.publish.p99Ms < GOALS.p99Ms,
        disconnectMs: disconnectMax < GOALS.disconnectMs,
        peakRssMB: peakRssMB < GOALS.peakRssMB,
      },
      ...(profileSummary ? { profile: { ...profileSummary, topSelf: profileSummary.topSelf.slice(0, 12), byArea: profileSummary.byArea.slice(0, 12), projectInclusive: profileSummary.projectInclusive.slice(0, 12) } } : {}),
      loadAverage: loadAverage(),
      node: process.version,
      cpus: cpus().length,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await Promise.all(live.map((x) => x.stop()));
    api?.close();
    await warden?.stop(5000);
    if (mosquitto && mosquitto.exitCode === null) mosquitto.kill('SIGKILL');
    if (pg) await dropSchema(pg);
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench:mqtt failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
