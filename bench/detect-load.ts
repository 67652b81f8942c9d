import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { RawConnection } from './raw-http.js';
import { SignedClient, thingName } from './registry-client.js';

/**
 * Load generator child of `bench:detect`: `node dist/bench/detect-load.js JOB.json`. Prepares
 * (signs every report of its things, so signing is not in the measured time, and opens
 * `concurrency` keep-alive connections), prints `ready`, waits for `go`, then sends one device
 * metrics report for each thing of [from, to) for one 5-minute period, one in flight per
 * connection (raw-http.ts), through the signed ingestion endpoint, and prints one JSON
 * DetectLoadReport line. The outliers (every `outlierEvery`th thing, in the periods
 * of `outlierPeriods`) send a hundred times the bytes and listen on one port more; their reports
 * are timed apart: an accepted report is answered once it is evaluated and committed, so its
 * latency is the time from the report to its violation being visible.
 */
export interface DetectLoadJob {
  url: string;
  concurrency: number;
  from: number;
  to: number;
  period: number;
  outlierEvery: number;
  outlierPeriods: number[];
}

export interface DetectLoadReport {
  count: number;
  accepted: number;
  errors: number;
  samples: string[];
  startMs: number;
  endMs: number;
  cpuMs: number;
  latency: { p50Ms: number; p99Ms: number; maxMs: number };
  outlierLatency: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
}

/** A thing's numbers vary a little from period to period and from thing to thing. */
function noise(i: number, period: number): number {
  let x = (i * 2654435761 + period * 40503) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0x5bd1e995) >>> 0;
  return (x % 1000) / 1000;
}

export function reportOf(i: number, period: number, outlier: boolean): string {
  const bytesOut = Math.round((outlier ? 100 : 1) * (40_000 + 20_000 * noise(i, period)));
  const bytesIn = Math.round(30_000 + 10_000 * noise(i + 7, period));
  return JSON.stringify({
    hed: { rid: period + 1, v: '1.0' },
    met: {
      ns: { bi: bytesIn, bo: bytesOut, pi: Math.round(bytesIn / 500), po: Math.round(bytesOut / 500) },
      tp: { pts: (outlier ? [22, 443, 31337] : [22, 443]).map((pt) => ({ pt })), t: outlier ? 3 : 2 },
    },
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const r3 = (n: number): number => Math.round(n * 1000) / 1000;
const figures = (a: Float64Array) => {
  const s = a.sort();
  return { p50Ms: r3(percentile(s, 50)), p99Ms: r3(percentile(s, 99)), maxMs: r3(s[s.length - 1] ?? 0) };
};

/** The period's signed requests, and the connections they go out on. */
interface Prepared {
  requests: Buffer[];
  outliers: boolean[];
  connections: RawConnection[];
}

async function prepare(job: DetectLoadJob): Promise<Prepared> {
  const signer = new SignedClient(job.url, 1);
  const outliersNow = job.outlierPeriods.includes(job.period);
  const requests: Buffer[] = [];
  const outliers: boolean[] = [];
  for (let i = job.from; i < job.to; i++) {
    const outlier = outliersNow && i % job.outlierEvery === 0;
    requests.push(await signer.signedBytes({ method: 'POST', path: `/_warden/things/${thingName(i)}/defender/metrics/json`, body: reportOf(i, job.period, outlier) }));
    outliers.push(outlier);
  }
  signer.close();
  const connections = await Promise.all(Array.from({ length: Math.min(job.concurrency, requests.length) }, () => RawConnection.open(job.url)));
  return { requests, outliers, connections };
}

async function run(job: DetectLoadJob, p: Prepared): Promise<DetectLoadReport> {
  const count = p.requests.length;
  const latencies = new Float64Array(count);
  const outlierLatencies: number[] = [];
  const samples: string[] = [];
  let accepted = 0;
  let errors = 0;
  let next = 0;
  const worker = async (connection: RawConnection): Promise<void> => {
    while (next < count) {
      const k = next++;
      const t0 = performance.now();
      try {
        const r = await connection.send(p.requests[k]);
        const ms = performance.now() - t0;
        latencies[k] = ms;
        if (p.outliers[k]) outlierLatencies.push(ms);
        if (r.status === 200 && r.body.includes('"ACCEPTED"')) accepted++;
        else {
          errors++;
          if (samples.length < 5) samples.push(`${r.status} ${r.body.slice(0, 300)}`);
        }
      } catch (e) {
        latencies[k] = performance.now() - t0;
        errors++;
        if (samples.length < 5) samples.push((e as Error).message);
        return; // the connection is gone
      }
    }
  };
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await Promise.all(p.connections.map(worker));
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  for (const c of p.connections) c.close();
  errors += count - accepted - errors; // reports never sent (every connection failed)
  return {
    count,
    accepted,
    errors,
    samples,
    startMs: performance.timeOrigin + start,
    endMs: performance.timeOrigin + end,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    latency: figures(latencies),
    outlierLatency: { count: outlierLatencies.length, ...figures(Float64Array.from(outlierLatencies)) },
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as DetectLoadJob;
  const prepared = await prepare(job);
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  process.stdout.write(`${JSON.stringify(await run(job, prepared))}\n`);
}

if (process.argv[1]?.endsWith('detect-load.js')) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
