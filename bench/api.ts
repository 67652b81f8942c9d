import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateMitigationActionCommand, IoTClient } from '@aws-sdk/client-iot';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { projectRoot } from '../src/paths.js';
import { formatSummary, summarise, type ProfileSummary } from './profile-summary.js';
import { log, round, runAutocannon, startServer, type LoadResult, type ServerProcess } from './procs.js';

/**
 * `npm run bench:api`: DescribeMitigationAction throughput of a real Warden process against a
 * bare node:http server, both loaded by autocannon from its own process. Prints one JSON object
 * on stdout (progress on stderr); exits 0 when the run completed, whether or not goals are met.
 *
 * Environment: BENCH_CONNECTIONS (50), BENCH_DURATION seconds (10), BENCH_WARMUP seconds (2, 0 = none),
 * BENCH_PROFILE=1 (run Warden under `node --cpu-prof` and summarise the profile; slows it down).
 */
const GOALS = { requestsPerSecond: 10_000, ratio: 0.4, p99Ms: 10 };
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const PATH = '/mitigationactions/actions/bench';

function envInt(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min}, not '${text}'`);
  return n;
}

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

async function load(root: string, name: string, url: string, headers: Record<string, string>, connections: number, duration: number, warmup: number): Promise<LoadResult> {
  if (warmup > 0) {
    log(`${name}: warming up ${warmup} s`);
    await runAutocannon(root, { url, headers, connections, durationSeconds: warmup });
  }
  log(`${name}: ${connections} connections for ${duration} s on ${url}`);
  const r = await runAutocannon(root, { url, headers, connections, durationSeconds: duration });
  log(`${name}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}, errors ${r.errors}`);
  return r;
}

async function main(): Promise<number> {
  const root = projectRoot();
  const connections = envInt('BENCH_CONNECTIONS', 50, 1);
  const duration = envInt('BENCH_DURATION', 10, 1);
  const warmup = envInt('BENCH_WARMUP', 2, 0);
  const profile = /^(1|true|yes|on)$/i.test(process.env.BENCH_PROFILE ?? '');
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const profileDir = profile ? mkdtempSync(join(tmpdir(), 'warden-bench-prof-')) : undefined;
  const servers: ServerProcess[] = [];
  const onSignal = (): void => {
    void Promise.all(servers.map((s) => s.stop(2000))).finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const nodeFlags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const wardenArgs = [...nodeFlags, join(root, 'bin', 'warden.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'];
    const warden = await startServer('warden', wardenArgs, root);
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

    const wardenResult = await load(root, 'warden', warden.url + PATH, headers, connections, duration, warmup);
    await warden.stop(); // graceful, so --cpu-prof writes its profile
    let profileSummary: (ProfileSummary & { file: string }) | undefined;
    if (profileDir) {
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`no .cpuprofile written in ${profileDir}`);
      profileSummary = { file: join(profileDir, file), ...summarise(join(profileDir, file)) };
      log(`profile ${profileSummary.file}\n${formatSummary(profileSummary)}`);
    }

    const bare = await startServer('bare', [join(root, 'dist', 'bench', 'bare-server.js')], root, { BARE_BODY: describeBody });
    servers.push(bare);
    const bareHeaders = { ...headers, host: new URL(bare.url).host };
    const bareResult = await load(root, 'bare', bare.url + PATH, bareHeaders, connections, duration, warmup);
    await bare.stop();

    const ratio = round(wardenResult.requestsPerSecond / bareResult.requestsPerSecond, 3);
    const failures = [wardenResult, bareResult].some((r) => r.non2xx > 0 || r.errors > 0 || r.timeouts > 0);
    const report = {
      benchmark: 'api',
      operation: 'DescribeMitigationAction',
      connections,
      durationSeconds: duration,
      warmupSeconds: warmup,
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
      ...(profileSummary ? { profiled: true, profile: { ...profileSummary, topSelf: profileSummary.topSelf.slice(0, 10) } } : {}),
      node: process.version,
      cpus: cpus().length,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return failures ? 1 : 0;
  } finally {
    await Promise.all(servers.map((s) => s.stop(5000)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench:api failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
