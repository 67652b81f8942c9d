import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/base/paths.js';
import { keepProfile, type ProfileSummary } from './profile-summary.js';
import { benchRun, dropSchema, envBackend } from './pg-schema.js';
import { cpuSeconds, envFlag, envInt, killWorkers, loadAverage, log, procMemory, round, startServer, startWorker, type ServerProcess } from './procs.js';
import { makeCertificates } from './registry-certs.js';
import { COLORS, SignedClient } from './registry-client.js';
import type { LoadJob, LoadKind, LoadReport } from './registry-load.js';

/**
 * `npm run bench:registry`: the registry at fleet size against a real Warden process.
 *
 *  1. CreateThing ×BENCH_THINGS (100,000; 3 attributes each) at BENCH_CONCURRENCY (32) in flight;
 *  2. RegisterCertificateWithoutCA ×BENCH_CERTS (10,000) certificates made beforehand (not timed);
 *  3. CreateKeysAndCertificate ×BENCH_KEYS (200) at BENCH_KEYS_CONCURRENCY (8), timed apart;
 *  4. ListThings over every page (maxResults 250, following nextToken, one request at a time);
 *  5. CreateDynamicThingGroup over all things: `attributes.color:red`, then `attributes.n:[100 TO 199]`;
 *     each call builds membership before it answers; the members are then counted through
 *     ListThingsInThingGroup.
 *
 * Loads 1–3 come from BENCH_CLIENTS (1) separate node processes (registry-load.ts), each with one
 * SigV4 signer and a keep-alive agent, so this process and the load do not share an event loop with
 * the server. Prints one JSON object on stdout, progress on stderr; exits 0 when the run completed,
 * whether or not the goals were met, non-zero on errors (any non-2xx answer included).
 *
 * BENCH_BACKEND=postgres runs against BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test)
 * in a fresh schema, dropped at the end. BENCH_PROFILE=1 runs the server under `node --cpu-prof`
 * and adds a summary of where its time went (slows it down). BENCH_CERTS=0 / BENCH_KEYS=0 skip
 * those phases.
 */
const GOALS = { createThingPerSecond: 3000, listThingsSeconds: 5, dynamicGroupSeconds: 3 };
const PAGE = 250;

interface PhaseResult {
  count: number;
  seconds: number;
  perSecond: number;
  errors: number;
  statuses: Record<string, number>;
  errorSamples?: string[];
  latencyMs: LoadReport['latency'] | LoadReport['latency'][];
  clients: number;
  concurrency: number;
  /** Share of one core the server used during the phase, and what the load processes used. */
  serverCpuPct: number;
  clientCpuPct: number;
  /** Requests per second of server CPU: the rate one free core would sustain, whatever else ran. */
  perServerCpuSecond: number;
  /** 1-minute load average when the phase ended (the machine is shared). */
  loadAverage1m: number;
}

async function phase(
  root: string,
  work: string,
  server: ServerProcess,
  kind: LoadKind,
  total: number,
  concurrency: number,
  clients: number,
  extra: Partial<LoadJob> = {},
): Promise<PhaseResult> {
  const n = Math.max(1, Math.min(clients, concurrency, total));
  const starts = [];
  for (let k = 0; k < n; k++) {
    const job: LoadJob = {
      kind,
      url: server.url,
      concurrency: Math.floor(concurrency / n) + (k < concurrency % n ? 1 : 0),
      from: Math.floor((total * k) / n),
      to: Math.floor((total * (k + 1)) / n),
      ...extra,
    };
    starts.push(startWorker<LoadReport>(root, work, 'registry-load', `load-${kind}-${k}`, job));
  }
  const loads = await Promise.all(starts);
  const pid = server.child.pid!;
  const cpu0 = cpuSeconds(pid);
  const wall0 = performance.now();
  for (const l of loads) l.go();
  const reports = await Promise.all(loads.map((l) => l.result));
  const wall = (performance.now() - wall0) / 1000;
  const serverCpu = cpuSeconds(pid) - cpu0;
  const seconds = (Math.max(...reports.map((r) => r.endMs)) - Math.min(...reports.map((r) => r.startMs))) / 1000;
  const statuses: Record<string, number> = {};
  for (const r of reports) for (const [s, c] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + c;
  const errors = reports.reduce((a, r) => a + r.errors, 0);
  const samples = reports.flatMap((r) => r.samples).slice(0, 5);
  return {
    count: reports.reduce((a, r) => a + r.count, 0),
    seconds: round(seconds, 3),
    perSecond: round(total / seconds, 1),
    errors,
    statuses,
    ...(samples.length ? { errorSamples: samples } : {}),
    latencyMs: reports.length === 1 ? reports[0].latency : reports.map((r) => r.latency),
    clients: n,
    concurrency,
    serverCpuPct: round((100 * serverCpu) / wall, 1),
    clientCpuPct: round((100 * reports.reduce((a, r) => a + r.cpuMs, 0)) / 1000 / seconds, 1),
    perServerCpuSecond: round(total / serverCpu, 1),
    loadAverage1m: round(loadavg()[0], 2),
  };
}

interface ListThingsPage {
  things?: { thingName: string; attributes?: Record<string, string> }[];
  nextToken?: string;
}

async function listAllThings(client: SignedClient, expected: number): Promise<{ pages: number; things: number; seconds: number; thingsPerSecond: number; slowestPageMs: number }> {
  let pages = 0;
  let things = 0;
  let slowest = 0;
  let previous = '';
  let nextToken: string | undefined;
  const t0 = performance.now();
  do {
    const p0 = performance.now();
    const page = await client.json<ListThingsPage>({ method: 'GET', path: '/things', query: { maxResults: String(PAGE), nextToken } }, 'ListThings');
    slowest = Math.max(slowest, performance.now() - p0);
    pages++;
    for (const t of page.things ?? []) {
      if (t.thingName <= previous) throw new Error(`ListThings is not in name order: '${t.thingName}' after '${previous}'`);
      previous = t.thingName;
      things++;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const seconds = (performance.now() - t0) / 1000;
  if (things !== expected) throw new Error(`ListThings returned ${things} things over ${pages} pages, expected ${expected}`);
  return { pages, things, seconds: round(seconds, 3), thingsPerSecond: round(things / seconds, 1), slowestPageMs: round(slowest, 1) };
}

async function countMembers(client: SignedClient, group: string): Promise<{ members: number; pages: number; seconds: number }> {
  let members = 0;
  let pages = 0;
  let nextToken: string | undefined;
  const t0 = performance.now();
  do {
    const page = await client.json<{ things?: string[]; nextToken?: string }>(
      { method: 'GET', path: `/thing-groups/${group}/things`, query: { maxResults: String(PAGE), nextToken } },
      'ListThingsInThingGroup',
    );
    members += page.things?.length ?? 0;
    pages++;
    nextToken = page.nextToken;
  } while (nextToken);
  return { members, pages, seconds: round((performance.now() - t0) / 1000, 3) };
}

async function dynamicGroup(
  client: SignedClient,
  name: string,
  queryString: string,
  expected: number,
): Promise<{ name: string; queryString: string; seconds: number; members: number; expectedMembers: number; countSeconds: number }> {
  const t0 = performance.now();
  await client.json({ method: 'POST', path: `/dynamic-thing-groups/${name}`, body: JSON.stringify({ queryString }) }, `CreateDynamicThingGroup ${queryString}`);
  const seconds = (performance.now() - t0) / 1000;
  const described = await client.json<{ status?: string }>({ method: 'GET', path: `/thing-groups/${name}` }, 'DescribeThingGroup');
  if (described.status !== 'ACTIVE') throw new Error(`dynamic group ${name} is ${described.status}, not ACTIVE, after CreateDynamicThingGroup`);
  const count = await countMembers(client, name);
  if (count.members !== expected) throw new Error(`dynamic group '${queryString}' has ${count.members} members, expected ${expected}`);
  return { name, queryString, seconds: round(seconds, 3), members: count.members, expectedMembers: expected, countSeconds: count.seconds };
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

async function main(): Promise<number> {
  const root = projectRoot();
  const things = envInt('BENCH_THINGS', 100_000, 1);
  const certCount = envInt('BENCH_CERTS', 10_000, 0);
  const keyCount = envInt('BENCH_KEYS', 200, 0);
  const concurrency = envInt('BENCH_CONCURRENCY', 32, 1);
  const keyConcurrency = envInt('BENCH_KEYS_CONCURRENCY', 8, 1);
  const clients = envInt('BENCH_CLIENTS', 1, 1);
  const backend = envBackend();
  const { work, dataDir, profileDir, pg } = benchRun('registry', backend, envFlag('BENCH_PROFILE'));
  let server: ServerProcess | undefined;
  let cleaning: Promise<void> | undefined;
  /** Kills the load processes, stops the server, drops the PostgreSQL schema, removes the files; once. */
  const cleanup = (graceMs: number): Promise<void> =>
    (cleaning ??= (async () => {
      killWorkers();
      await server?.stop(graceMs);
      if (pg) await dropSchema(pg);
      rmSync(work, { recursive: true, force: true });
    })());
  const onSignal = (): void => {
    void cleanup(2000).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const loadAtStart = loadAverage();
  log(`load average at start: ${loadAtStart} (${cpus().length} cpus)`);
  try {
    // Certificates first: made (not timed) before the server exists, so they take no CPU from it.
    let certFile: string | undefined;
    let certSeconds = 0;
    if (certCount > 0) {
      log(`making ${certCount} certificates (EC P-256 CA, one EC P-256 key per leaf)`);
      const t0 = performance.now();
      const certs = await makeCertificates(certCount, (done) => log(`  ${done}/${certCount} certificates`));
      certSeconds = (performance.now() - t0) / 1000;
      certFile = join(work, 'certs.json');
      writeFileSync(certFile, JSON.stringify(certs));
      log(`made ${certCount} certificates in ${certSeconds.toFixed(1)} s`);
    }

    const serveArgs = ['serve', '--no-mqtt', '--port', '0', '--log-level', 'warn', '--data-dir', dataDir, ...(pg ? ['--database-url', pg.databaseUrl] : [])];
    const nodeFlags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    server = await startServer('warden', [...nodeFlags, join(root, 'bin', 'warden.js'), ...serveArgs], root);
    const pid = server.child.pid!;
    log(`warden ${server.url} (pid ${pid}, ${backend}${pg ? ` schema ${pg.schema}` : ''})${profileDir ? `, profiling into ${profileDir}` : ''}`);
    const memory: Record<string, number> = {};
    const remember = (label: string): void => {
      const s = procMemory(pid);
      if (s) memory[label] = s.rssMB;
    };
    remember('startRssMB');

    log(`CreateThing ×${things}, ${concurrency} in flight from ${clients} load process(es)`);
    const createThing = await phase(root, work, server, 'createThing', things, concurrency, clients);
    log(`CreateThing: ${createThing.perSecond}/s over ${createThing.seconds} s, errors ${createThing.errors}, server CPU ${createThing.serverCpuPct}%, load CPU ${createThing.clientCpuPct}% (load ${loadAverage()})`);
    remember('afterCreateThingRssMB');

    let registerCertificateWithoutCA: PhaseResult | undefined;
    if (certCount > 0) {
      log(`RegisterCertificateWithoutCA ×${certCount}, ${concurrency} in flight`);
      registerCertificateWithoutCA = await phase(root, work, server, 'registerCertificateWithoutCA', certCount, concurrency, clients, { certFile });
      log(`RegisterCertificateWithoutCA: ${registerCertificateWithoutCA.perSecond}/s over ${registerCertificateWithoutCA.seconds} s, errors ${registerCertificateWithoutCA.errors}`);
      remember('afterRegisterRssMB');
    }

    let createKeysAndCertificate: PhaseResult | undefined;
    if (keyCount > 0) {
      log(`CreateKeysAndCertificate ×${keyCount}, ${keyConcurrency} in flight`);
      createKeysAndCertificate = await phase(root, work, server, 'createKeysAndCertificate', keyCount, keyConcurrency, 1);
      log(`CreateKeysAndCertificate: ${createKeysAndCertificate.perSecond}/s over ${createKeysAndCertificate.seconds} s, errors ${createKeysAndCertificate.errors}`);
      remember('afterCreateKeysRssMB');
    }

    const client = new SignedClient(server.url, 4);
    log(`ListThings over all pages (maxResults ${PAGE})`);
    const listThings = await listAllThings(client, things);
    log(`ListThings: ${listThings.things} things, ${listThings.pages} pages in ${listThings.seconds} s (${listThings.thingsPerSecond}/s)`);
    remember('afterListThingsRssMB');

    let red = 0;
    let range = 0;
    for (let i = 0; i < things; i++) {
      if (COLORS[i % COLORS.length] === 'red') red++;
      if (i % 1000 >= 100 && i % 1000 <= 199) range++;
    }
    log(`CreateDynamicThingGroup attributes.color:red over ${things} things`);
    const dynamic = await dynamicGroup(client, 'bench-red', 'attributes.color:red', red);
    log(`dynamic group: ${dynamic.members} members in ${dynamic.seconds} s`);
    const dynamicRange = await dynamicGroup(client, 'bench-n-range', 'attributes.n:[100 TO 199]', range);
    log(`dynamic group (range): ${dynamicRange.members} members in ${dynamicRange.seconds} s`);
    remember('afterDynamicGroupsRssMB');
    client.close();

    const status = procMemory(pid);
    const serverCpuTotal = cpuSeconds(pid);
    const databaseBytes = backend === 'sqlite' ? dirBytes(dataDir) : undefined;
    await server.stop(); // graceful, so --cpu-prof writes its profile
    let profileSummary: (ProfileSummary & { file: string }) | undefined;
    if (profileDir) {
      profileSummary = keepProfile(profileDir, `warden-bench-registry-${process.pid}`, 'the server');
      if (!profileSummary) throw new Error(`no .cpuprofile written in ${profileDir}`);
    }

    const failed = [createThing, registerCertificateWithoutCA, createKeysAndCertificate].some((p) => p !== undefined && p.errors > 0);
    const report = {
      benchmark: 'registry',
      backend,
      createThing,
      ...(registerCertificateWithoutCA ? { registerCertificateWithoutCA } : {}),
      ...(createKeysAndCertificate ? { createKeysAndCertificate } : {}),
      listThings: { ...listThings, pageSize: PAGE },
      dynamicGroup: dynamic,
      dynamicGroupRange: dynamicRange,
      server: {
        peakRssMB: status?.peakRssMB,
        rssMB: status?.rssMB,
        ...memory,
        cpuSeconds: round(serverCpuTotal, 2),
        ...(databaseBytes !== undefined ? { databaseMB: round(databaseBytes / 1048576, 1) } : {}),
      },
      goals: GOALS,
      met: {
        createThingPerSecond: createThing.perSecond >= GOALS.createThingPerSecond,
        listThingsSeconds: listThings.seconds < GOALS.listThingsSeconds,
        dynamicGroupSeconds: dynamic.seconds < GOALS.dynamicGroupSeconds,
      },
      ...(failed ? { failed: 'errors or non-2xx answers during a load' } : {}),
      certificatesMadeSeconds: round(certSeconds, 1),
      ...(profileSummary ? { profiled: true, profile: { ...profileSummary, topSelf: profileSummary.topSelf.slice(0, 15), projectInclusive: profileSummary.projectInclusive.slice(0, 20) } } : {}),
      loadAverage: { start: loadAtStart, end: loadAverage() },
      node: process.version,
      cpus: cpus().length,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return failed ? 1 : 0;
  } finally {
    await cleanup(5000);
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench:registry failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
