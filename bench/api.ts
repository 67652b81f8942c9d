import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { CreateMitigationActionCommand, IoTClient } from '@aws-sdk/client-iot';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { projectRoot } from '../src/base/paths.js';
import { benchRun } from './pg-schema.js';
import { keepProfile } from './profile-summary.js';
import { canPin, cpuSeconds, envFlag, envInt, log, round, runAutocannon, startServer, type LoadResult, type ServerProcess } from './procs.js';

/**
 * `npm run bench:api`: DescribeMitigationAction throughput of a real Warden process against a
 * bare node:http server, both loaded by autocannon from its own process. Prints one JSON object
 * on stdout (progress on stderr); exits 0 when the run completed, whether or not goals are met.
 *
 * Each server gets BENCH_DURATION seconds of load in all, in BENCH_ROUNDS slices that alternate
 * between the two (see main).
 *
 * Environment: BENCH_CONNECTIONS (50), BENCH_DURATION seconds per server (10), BENCH_ROUNDS (5),
 * BENCH_WARMUP seconds per server (2, 0 = none), BENCH_PIN=0 (do not keep servers and load generator on CPUs of their own),
 * BENCH_PROFILE=1 (run Warden under `node --cpu-prof` and summarise the profile; slows it down).
 */
const GOALS = { requestsPerSecond: 10_000, ratio: 0.4, p99Ms: 10 };
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const PATH = '/mitigationactions/actions/bench';

/** One signed DescribeMitigationAction request; SigV4 lets it be replayed for 15 minutes. */
async function signedHeaders(url: string): Promise<Record<string, string>> {
  const { hostname, port, host } = new URL(url);
  const signer = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: 'iot', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const request = new HttpRequest({ method: 'GET', protocol: 'http:', hostname, port: Number(port), path: PATH, headers: { host } });
  const signed = await signer.sign(request);
  return signed.headers;
}

/** Checks that the signed request answers 200 with the action; returns the body (the bare server's reply). */
async function verifyOnce(url: string, headers: Record<string, string>): Promise<string> {
  const { host: _host, ...rest } = headers; // fetch sets Host itself (to the same value)
  const res = await fetch(url + PATH, { headers: rest });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`signed DescribeMitigationAction answered ${res.status}: ${body}`);
  if ((JSON.parse(body) as { actionName?: string }).actionName !== 'bench') throw new Error(`unexpected DescribeMitigationAction body: ${body}`);
  return body;
}

/** Figures of one server over all its slices of load. */
interface Measured extends LoadResult {
  /** CPU time the server process spent per answered request (from /proc; absent elsewhere). */
  serverCpuMicrosPerRequest?: number;
  /** Each slice's requests per second, in the order they ran. */
  slices: number[];
}

interface Target {
  server: ServerProcess;
  headers: Record<string, string>;
  results: LoadResult[];
  cpuSeconds: number;
}

/** Which CPUs the servers and the load generator are kept on, when they are kept apart. */
interface Placement {
  server: string;
  load: string;
}

async function slice(root: string, t: Target, connections: number, seconds: number, placement?: Placement): Promise<void> {
  const pid = t.server.child.pid ?? -1;
  const before = cpuSeconds(pid);
  const r = await runAutocannon(root, { url: t.server.url + PATH, headers: t.headers, connections, durationSeconds: seconds, cpuList: placement?.load });
  t.cpuSeconds += cpuSeconds(pid) - before; // NaN, and so left out, where /proc cannot tell
  t.results.push(r);
  log(`${t.server.name}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}, errors ${r.errors}`);
}

/**
 * One server's slices taken together: the rate is all requests over all seconds; p50 is the
 * median slice's and p99 the worst slice's (percentiles of separate runs do not add up, so the
 * p99 reported is never better than the one of any slice).
 */
function combine(t: Target, seconds: number): Measured {
  const rs = t.results;
  const requests = rs.reduce((n, r) => n + r.requests, 0);
  const measured: Measured = {
    requestsPerSecond: round(requests / seconds),
    p50Ms: rs.map((r) => r.p50Ms).sort((x, y) => x - y)[Math.floor(rs.length / 2)],
    p99Ms: Math.max(...rs.map((r) => r.p99Ms)),
    meanMs: round(rs.reduce((n, r) => n + r.meanMs * r.requests, 0) / Math.max(requests, 1), 3),
    requests,
    non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    timeouts: rs.reduce((n, r) => n + r.timeouts, 0),
    slices: rs.map((r) => r.requestsPerSecond),
  };
  // CPU per request does not depend on how much of the machine the server got, so it stays
  // comparable between runs on a shared machine where requests per second do not.
  if (Number.isFinite(t.cpuSeconds) && requests > 0) measured.serverCpuMicrosPerRequest = round((t.cpuSeconds * 1e6) / requests, 1);
  return measured;
}

async function main(): Promise<number> {
  const root = projectRoot();
  const connections = envInt('BENCH_CONNECTIONS', 50, 1);
  const duration = envInt('BENCH_DURATION', 10, 1);
  const warmup = envInt('BENCH_WARMUP', 2, 0);
  const rounds = envInt('BENCH_ROUNDS', 5, 1);
  if (duration % rounds !== 0) throw new Error(`BENCH_DURATION (${duration}) must be a multiple of BENCH_ROUNDS (${rounds}): autocannon runs whole seconds`);
  // On a machine of two or more CPUs, each server (one process, so one core's worth of JavaScript)
  // is kept on CPU 0 and the load generator on CPU 1: the scheduler then cannot put them on one
  // core for a while and apart for another, which on two cores swings a run by half.
  const placement: Placement | undefined = process.env.BENCH_PIN !== '0' && cpus().length >= 2 && canPin() ? { server: '0', load: '1' } : undefined;
  log(placement ? 'servers on CPU 0, load generator on CPU 1' : 'processes not pinned to CPUs');
  const { work, dataDir, profileDir } = benchRun('api', 'sqlite', envFlag('BENCH_PROFILE'));
  const servers: ServerProcess[] = [];
  const onSignal = (): void => {
    void Promise.all(servers.map((s) => s.stop(2000))).finally(() => {
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const nodeFlags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const wardenArgs = [...nodeFlags, join(root, 'bin', 'warden.js'), 'serve', '--no-mqtt', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'];
    const warden = await startServer('warden', wardenArgs, root, {}, undefined, placement?.server);
    servers.push(warden);
    log(`warden ${warden.url}${profileDir ? ` (profiling into ${profileDir})` : ''}`);

    const client = new IoTClient({ endpoint: warden.url, region: REGION, credentials: CREDENTIALS });
    await client.send(
      new CreateMitigationActionCommand({
        actionName: 'bench',
        roleArn: 'arn:aws:iam::000000000000:role/bench',
        actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } },
      }),
    );
    client.destroy();
    const headers = await signedHeaders(warden.url);
    const describeBody = await verifyOnce(warden.url, headers);
    log(`signed DescribeMitigationAction answers 200 (${Buffer.byteLength(describeBody)} bytes)`);

    const bare = await startServer('bare', [join(root, 'dist', 'bench', 'bare-server.js')], root, { BARE_BODY: describeBody }, undefined, placement?.server);
    servers.push(bare);
    const targets: Target[] = [
      { server: warden, headers, results: [], cpuSeconds: 0 },
      { server: bare, headers: { ...headers, host: new URL(bare.url).host }, results: [], cpuSeconds: 0 },
    ];
    if (warmup > 0) {
      for (const t of targets) {
        log(`${t.server.name}: warming up ${warmup} s`);
        await runAutocannon(root, { url: t.server.url + PATH, headers: t.headers, connections, durationSeconds: warmup, cpuList: placement?.load });
      }
    }
    // The two servers take turns, a slice each per round, first one then the other, so that a
    // stretch of the shared machine running slow falls on both rather than on one of them.
    const sliceSeconds = duration / rounds;
    log(`${rounds} rounds of ${sliceSeconds} s per server, ${connections} connections`);
    for (let i = 0; i < rounds; i++) {
      for (const t of i % 2 === 0 ? targets : [...targets].reverse()) await slice(root, t, connections, sliceSeconds, placement);
    }
    const wardenResult = combine(targets[0], duration);
    const bareResult = combine(targets[1], duration);
    await warden.stop(); // graceful, so --cpu-prof writes its profile
    await bare.stop();
    const profileSummary = profileDir ? keepProfile(profileDir, `warden-bench-api-${process.pid}`, 'warden') : undefined;
    if (profileDir && !profileSummary) throw new Error(`no .cpuprofile written in ${profileDir}`);

    const ratio = round(wardenResult.requestsPerSecond / bareResult.requestsPerSecond, 3);
    const failures = [wardenResult, bareResult].some((r) => r.non2xx > 0 || r.errors > 0 || r.timeouts > 0);
    const report = {
      benchmark: 'api',
      operation: 'DescribeMitigationAction',
      connections,
      durationSeconds: duration,
      rounds,
      warmupSeconds: warmup,
      cpuPlacement: placement ?? 'not pinned',
      warden: wardenResult,
      bare: bareResult,
      ratio,
      goals: GOALS,
      met: {
        requestsPerSecond: wardenResult.requestsPerSecond >= GOALS.requestsPerSecond,
        ratio: ratio >= GOALS.ratio,
        p99Ms: wardenResult.p99Ms < GOALS.p99Ms,
      },
      ...(failures ? { failed: 'non-2xx responses, errors or timeouts during the load' } : {}),
      ...(profileSummary ? { profiled: true, profile: { ...profileSummary, topSelf: profileSummary.topSelf.slice(0, 10), byArea: profileSummary.byArea.slice(0, 15), projectInclusive: profileSummary.projectInclusive.slice(0, 15) } } : {}),
      node: process.version,
      cpus: cpus().length,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return failures ? 1 : 0;
  } finally {
    await Promise.all(servers.map((s) => s.stop(5000)));
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench:api failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
