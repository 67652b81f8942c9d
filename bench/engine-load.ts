import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CertFactory, type CertRecipe } from './engine-certs.js';
import { EngineClient, latencySummary, type EngineCall } from './engine-client.js';
import { ACCOUNT, REGION, thingName } from './registry-client.js';

/**
 * Setup load child of `bench:engine`: `node dist/bench/engine-load.js JOB.json`. For each device
 * i in [from, to): CreateThing `bench-<i>`, RegisterCertificateWithoutCA of certificate i (made
 * here from the recipe, checked against the returned certificateId), AttachThingPrincipal of that
 * certificate to the thing. Keeps `concurrency` devices in flight across the nodes, prints `ready`,
 * waits for `go` on stdin, writes the certificate ids (one hex line per device, in order) to
 * `idsFile`, and prints one JSON report line.
 */
export interface DeviceJob {
  urls: string[];
  concurrency: number;
  from: number;
  to: number;
  recipeFile: string;
  idsFile: string;
}

export interface DeviceReport {
  devices: number;
  errors: number;
  samples: string[];
  startMs: number;
  endMs: number;
  cpuMs: number;
  latency: Record<'createThing' | 'registerCertificateWithoutCA' | 'attachThingPrincipal', ReturnType<typeof latencySummary>>;
}

type Step = keyof DeviceReport['latency'];

async function run(job: DeviceJob): Promise<DeviceReport> {
  const factory = new CertFactory(JSON.parse(readFileSync(job.recipeFile, 'utf8')) as CertRecipe);
  const client = new EngineClient(job.urls, job.concurrency);
  const ids: string[] = new Array(job.to - job.from);
  const latency: Record<Step, number[]> = { createThing: [], registerCertificateWithoutCA: [], attachThingPrincipal: [] };
  const samples: string[] = [];
  let errors = 0;
  let next = job.from;
  let done = 0;

  const step = async (name: Step, node: number, call: EngineCall, check?: (body: string) => string | undefined): Promise<boolean> => {
    const t0 = performance.now();
    try {
      const r = await client.send(call, node);
      latency[name].push(performance.now() - t0);
      const wrong = r.status < 200 || r.status >= 300 ? `${name} ${r.status} ${r.body.slice(0, 300)}` : check?.(r.body);
      if (!wrong) return true;
      errors++;
      if (samples.length < 5) samples.push(wrong);
    } catch (e) {
      errors++;
      if (samples.length < 5) samples.push(`${name}: ${(e as Error).message}`);
    }
    return false;
  };

  const worker = async (w: number): Promise<void> => {
    while (next < job.to) {
      const i = next++;
      const node = w; // each worker keeps to one node (taken in turn by worker number)
      const thing = thingName(i);
      const cert = factory.make(i);
      ids[i - job.from] = cert.id;
      const ok =
        (await step('createThing', node, { method: 'POST', path: `/things/${thing}`, body: '{}' })) &&
        (await step('registerCertificateWithoutCA', node, { method: 'POST', path: '/certificate/register-no-ca', body: JSON.stringify({ certificatePem: cert.pem, status: 'ACTIVE' }) }, (body) =>
          (JSON.parse(body) as { certificateId?: string }).certificateId === cert.id ? undefined : `certificate ${i}: expected id ${cert.id}, got ${body.slice(0, 200)}`,
        )) &&
        (await step('attachThingPrincipal', node, {
          method: 'PUT',
          path: `/things/${thing}/principals`,
          headers: { 'x-amzn-principal': `arn:aws:iot:${REGION}:${ACCOUNT}:cert/${cert.id}` },
        }));
      if (ok) done++;
    }
  };

  const progress = setInterval(() => process.stderr.write(`${done}/${job.to - job.from} devices\n`), 15_000);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(job.concurrency, job.to - job.from) }, (_, w) => worker(w)));
  const end = performance.now();
  clearInterval(progress);
  const cpu = process.cpuUsage(cpu0);
  client.close();
  writeFileSync(job.idsFile, ids.join('\n'));
  return {
    devices: done,
    errors,
    samples,
    startMs: performance.timeOrigin + start,
    endMs: performance.timeOrigin + end,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    latency: {
      createThing: latencySummary(latency.createThing),
      registerCertificateWithoutCA: latencySummary(latency.registerCertificateWithoutCA),
      attachThingPrincipal: latencySummary(latency.attachThingPrincipal),
    },
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as DeviceJob;
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'go') break;
  process.stdout.write(`${JSON.stringify(await run(job))}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`engine-load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
