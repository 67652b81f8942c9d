import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { SignedClient, thingAttributes, thingName, type Call } from './registry-client.js';

/**
 * Load generator child of `bench:registry`: `node dist/bench/registry-load.js JOB.json`.
 * Prepares, prints `ready`, waits for `go` on stdin, keeps `concurrency` requests in flight over
 * items [from, to) and prints one JSON LoadReport line on stdout.
 */
export type LoadKind = 'createThing' | 'registerCertificateWithoutCA' | 'createKeysAndCertificate';

export interface LoadJob {
  kind: LoadKind;
  url: string;
  concurrency: number;
  from: number;
  to: number;
  /** registerCertificateWithoutCA: JSON file of `{ pem, id }[]` (id: SHA-256 of the DER, hex). */
  certFile?: string;
}

export interface LoadReport {
  kind: LoadKind;
  count: number;
  ok: number;
  /** Non-2xx answers, transport errors and 2xx answers with the wrong content. */
  errors: number;
  statuses: Record<string, number>;
  samples: string[];
  /** Epoch milliseconds (performance.timeOrigin + now), comparable across processes. */
  startMs: number;
  endMs: number;
  /** CPU this load process used while running (user + system), to show it is not the bottleneck. */
  cpuMs: number;
  latency: { meanMs: number; p50Ms: number; p99Ms: number; maxMs: number };
}

interface CertItem {
  pem: string;
  id: string;
}

function callFor(job: LoadJob, certs: CertItem[] | undefined, i: number): { call: Call; check: (body: string) => string | undefined } {
  switch (job.kind) {
    case 'createThing': {
      const name = thingName(i);
      return {
        call: { method: 'POST', path: `/things/${name}`, body: JSON.stringify({ attributePayload: { attributes: thingAttributes(i) } }) },
        check: (body) => ((JSON.parse(body) as { thingName?: string }).thingName === name ? undefined : `CreateThing ${name} answered ${body.slice(0, 200)}`),
      };
    }
    case 'registerCertificateWithoutCA': {
      const c = certs![i];
      return {
        call: { method: 'POST', path: '/certificate/register-no-ca', body: JSON.stringify({ certificatePem: c.pem, status: 'ACTIVE' }) },
        check: (body) => ((JSON.parse(body) as { certificateId?: string }).certificateId === c.id ? undefined : `RegisterCertificateWithoutCA #${i}: expected ${c.id}, got ${body.slice(0, 200)}`),
      };
    }
    case 'createKeysAndCertificate':
      return {
        call: { method: 'POST', path: '/keys-and-certificate', query: { setAsActive: 'true' } },
        check: (body) => {
          const r = JSON.parse(body) as { certificateId?: string; certificatePem?: string; keyPair?: { PrivateKey?: string } };
          return r.certificateId && r.certificatePem?.includes('BEGIN CERTIFICATE') && r.keyPair?.PrivateKey ? undefined : `CreateKeysAndCertificate answered ${body.slice(0, 200)}`;
        },
      };
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const r3 = (n: number): number => Math.round(n * 1000) / 1000;

async function run(job: LoadJob, certs: CertItem[] | undefined): Promise<LoadReport> {
  const client = new SignedClient(job.url, job.concurrency);
  const count = job.to - job.from;
  const latencies = new Float64Array(count);
  const statuses: Record<string, number> = {};
  const samples: string[] = [];
  let ok = 0;
  let errors = 0;
  let next = job.from;
  const fail = (why: string): void => {
    errors++;
    if (samples.length < 5) samples.push(why);
  };
  const worker = async (): Promise<void> => {
    while (next < job.to) {
      const i = next++;
      const { call, check } = callFor(job, certs, i);
      const t0 = performance.now();
      try {
        const r = await client.send(call);
        latencies[i - job.from] = performance.now() - t0;
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status < 200 || r.status >= 300) {
          fail(`${r.status} ${r.body.slice(0, 300)}`);
          continue;
        }
        const wrong = check(r.body);
        if (wrong) fail(wrong);
        else ok++;
      } catch (e) {
        latencies[i - job.from] = performance.now() - t0;
        statuses.transport = (statuses.transport ?? 0) + 1;
        fail((e as Error).message);
      }
    }
  };
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(job.concurrency, count) }, worker));
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  client.close();
  const sorted = latencies.sort();
  let sum = 0;
  for (const l of latencies) sum += l;
  return {
    kind: job.kind,
    count,
    ok,
    errors,
    statuses,
    samples,
    startMs: performance.timeOrigin + start,
    endMs: performance.timeOrigin + end,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    latency: { meanMs: r3(count ? sum / count : 0), p50Ms: r3(percentile(sorted, 50)), p99Ms: r3(percentile(sorted, 99)), maxMs: r3(sorted[sorted.length - 1] ?? 0) },
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadJob;
  const certs = job.certFile ? (JSON.parse(readFileSync(job.certFile, 'utf8')) as CertItem[]) : undefined;
  if (job.kind === 'registerCertificateWithoutCA' && (!certs || certs.length < job.to)) throw new Error(`need ${job.to} certificates in ${job.certFile}`);
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'go') break;
  const report = await run(job, certs);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`registry-load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
