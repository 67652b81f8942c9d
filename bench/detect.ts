import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { projectRoot } from '../src/base/paths.js';
import { createServer, ManualClock, type WardenServer } from '../src/index.js';
import { insertTuples } from '../src/store/sql.js';
import type { DetectLoadJob, DetectLoadReport } from './detect-load.js';
import { analyzeSchema, benchRun, dropSchema, envBackend } from './pg-schema.js';
import { envInt, killWorkers, loadAverage, log, round, startWorker } from './procs.js';
import { ACCOUNT, REGION, SignedClient, thingName } from './registry-client.js';

/**
 * `npm run bench:detect`: Detect's evaluation at fleet size. BENCH_THINGS (100,000) things in one
 * thing group, a security profile attached to it with five behaviors (bytes out and packets out
 * static, bytes in statistical at p99.9, listening TCP ports in a port set, and an ML behavior on
 * bytes out), and BENCH_PERIODS (12) five-minute periods on the injected clock, each one report
 * per thing (1,200,000 reports by default) sent from BENCH_CLIENTS (1) other processes with
 * BENCH_CONCURRENCY (64) in flight through the signed ingestion endpoint, as fast as Warden takes
 * them, after one unmeasured warm-up period on which the ML behavior trains (a day later). Every thousandth thing is an outlier in periods 4 to 6 (a hundred times the bytes, one
 * listening port more): it raises violations there and clears them after.
 *
 * Warden runs in this process (createServer with a ManualClock, so the periods pass between the
 * rounds of load); the things are planted in the store in bulk, the group, profile and attachment
 * made through the API. Prints one JSON object: reports per second, violations raised and
 * cleared, the outliers' report-to-violation time (an accepted report is answered once evaluated
 * and committed, so its latency is that time), ListActiveViolations' latency polled under the
 * load, and the peak RSS of this process (the server and a little bookkeeping).
 */
const GOALS = { reportsPerSecond: 10_000, reportToViolationP99Ms: 1000, peakRssMB: 400 };
const PERIOD_MS = 300_000;
const DAY_MS = 86_400_000;

/** The things and their membership of `fleet`, in the store in bulk, 10,000 rows a statement batch (the rows are not kept: the peak RSS is the server's). */
async function plantThings(server: WardenServer, things: number, now: number): Promise<void> {
  for (let from = 0; from < things; from += 10_000) {
    const thingRows: unknown[][] = [];
    const memberRows: unknown[][] = [];
    for (let i = from; i < Math.min(things, from + 10_000); i++) {
      const name = thingName(i);
      thingRows.push([ACCOUNT, REGION, name, randomUUID(), `arn:aws:iot:${REGION}:${ACCOUNT}:thing/${name}`, null, 1, '{}', now, now]);
      memberRows.push([ACCOUNT, REGION, 'fleet', name, 0, now]);
    }
    await server.store.db.transaction(async (tx) => {
      await insertTuples(tx, 'things', ['account_id', 'region', 'name', 'thing_id', 'arn', 'thing_type_name', 'version', 'attributes', 'created_at', 'modified_at'], thingRows);
      await insertTuples(tx, 'thing_group_members', ['account_id', 'region', 'group_name', 'thing_name', 'is_dynamic', 'added_at'], memberRows);
    });
  }
}

/** One period of reports from the load processes: every thing reports once; `seconds` leaves out starting the processes. */
async function runPeriod(url: string, work: string, things: number, concurrency: number, clients: number, period: number, outlierPeriods: number[]) {
  const n = Math.min(clients, concurrency);
  const workers = await Promise.all(
    Array.from({ length: n }, (_, k) =>
      startWorker<DetectLoadReport>(projectRoot(), work, 'detect-load', `detect-load-${period}-${k}`, {
        url,
        concurrency: Math.ceil(concurrency / n),
        from: Math.floor((things * k) / n),
        to: Math.floor((things * (k + 1)) / n),
        period,
        outlierEvery: 1000,
        outlierPeriods,
      } satisfies DetectLoadJob),
    ),
  );
  const t0 = performance.now();
  for (const w of workers) w.go();
  const results = await Promise.all(workers.map((w) => w.result));
  return {
    results,
    accepted: results.reduce((a, r) => a + r.accepted, 0),
    errors: results.reduce((a, r) => a + r.errors, 0),
    samples: results.flatMap((r) => r.samples).slice(0, 3),
    seconds: (performance.now() - t0) / 1000,
  };
}

async function main(): Promise<void> {
  const things = envInt('BENCH_THINGS', 100_000, 1000);
  const periods = envInt('BENCH_PERIODS', 12, 1);
  const concurrency = envInt('BENCH_CONCURRENCY', 64, 1);
  const clients = envInt('BENCH_CLIENTS', 1, 1, 8);
  const backend = envBackend();
  const { work, dataDir, pg } = benchRun('detect', backend, false);
  const clock = new ManualClock(new Date());
  const server = await createServer({
    port: 0,
    clock,
    dataDir,
    databaseUrl: pg?.databaseUrl,
    logLevel: 'warn',
    // The injected clock runs a day and an hour ahead of the load's signatures.
    skewMs: 2 * DAY_MS + periods * PERIOD_MS,
    // The ML behavior trains on the warm-up period: one day and its datapoints are enough.
    detectMl: { trainingDays: 1, minDatapoints: Math.min(25_000, things) },
  });
  const url = await server.listen();
  const api = new SignedClient(url, 4);
  try {
    // Set-up: things and their group membership in bulk; the group and the profile through the API.
    const t0 = performance.now();
    await api.json({ method: 'POST', path: '/thing-groups/fleet', body: '{}' }, 'CreateThingGroup');
    await plantThings(server, things, clock.now().getTime());
    // PostgreSQL plans by its statistics, which autovacuum would have gathered after a fleet's registration.
    if (pg) await analyzeSchema(pg);
    const behaviors = [
      { name: 'bytes-out', metric: 'aws:all-bytes-out', criteria: { comparisonOperator: 'less-than-equals', value: { count: 1_000_000 }, durationSeconds: 300 } },
      { name: 'packets-out', metric: 'aws:all-packets-out', criteria: { comparisonOperator: 'less-than-equals', value: { count: 2_000 }, durationSeconds: 300 } },
      { name: 'bytes-in-p999', metric: 'aws:all-bytes-in', criteria: { comparisonOperator: 'less-than-equals', statisticalThreshold: { statistic: 'p99.9' }, durationSeconds: 300 } },
      { name: 'ports', metric: 'aws:listening-tcp-ports', criteria: { comparisonOperator: 'in-port-set', value: { ports: [22, 443] } } },
      { name: 'bytes-out-ml', metric: 'aws:all-bytes-out', criteria: { mlDetectionConfig: { confidenceLevel: 'HIGH' } } },
    ];
    await api.json({ method: 'POST', path: '/security-profiles/fleet-rules', body: JSON.stringify({ behaviors }) }, 'CreateSecurityProfile');
    await api.json(
      { method: 'PUT', path: '/security-profiles/fleet-rules/targets', query: { securityProfileTargetArn: `arn:aws:iot:${REGION}:${ACCOUNT}:thinggroup/fleet` } },
      'AttachSecurityProfile',
    );
    const setupSeconds = (performance.now() - t0) / 1000;
    log(`set up ${things} things in ${setupSeconds.toFixed(1)} s`);

    // A warm-up period, not measured, trains the ML behavior: a day later the sweep builds its model.
    const warmUp = await runPeriod(url, work, things, concurrency, clients, -1, []);
    if (warmUp.errors) throw new Error(`warm-up: ${warmUp.errors} reports failed: ${warmUp.samples.join(' | ')}`);
    clock.advance(DAY_MS);
    await server.detector.sweepNow();
    // The warm-up wrote a state per thing: statistics again, as autovacuum would (it is off on some servers, this machine's included).
    if (pg) await analyzeSchema(pg);
    log(`warm-up period: ${warmUp.accepted} reports in ${warmUp.seconds.toFixed(1)} s; the ML model is trained`);

    // The periods.
    const outlierPeriods = [3, 4, 5].filter((p) => p < periods);
    const reports: DetectLoadReport[] = [];
    const polls: number[] = [];
    const cpu0 = process.cpuUsage();
    let measured = 0;
    let loadCpuMs = 0;
    for (let period = 0; period < periods; period++) {
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const p0 = performance.now();
          await api.json({ method: 'GET', path: '/active-violations', query: { maxResults: '100' } }, 'ListActiveViolations');
          polls.push(performance.now() - p0);
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      const run = await runPeriod(url, work, things, concurrency, clients, period, outlierPeriods);
      polling = false;
      await poller;
      measured += run.seconds;
      reports.push(...run.results);
      loadCpuMs += run.results.reduce((a, r) => a + r.cpuMs, 0);
      log(`period ${period + 1}/${periods}: ${run.accepted} accepted, ${run.errors} errors, ${measured.toFixed(1)} s so far`);
      if (run.errors) throw new Error(`period ${period}: ${run.errors} reports failed: ${run.samples.join(' | ')}`);
      clock.advance(PERIOD_MS);
    }

    const cpu = process.cpuUsage(cpu0);
    const serverCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const count = (sql: string) => server.store.db.get<{ n: number }>(sql, []).then((r) => Number(r?.n ?? 0));
    const raised = await count("SELECT COUNT(*) AS n FROM violation_events WHERE event_type = 'in-alarm'");
    const cleared = await count("SELECT COUNT(*) AS n FROM violation_events WHERE event_type = 'alarm-cleared'");
    const stillActive = await count('SELECT COUNT(*) AS n FROM violations WHERE violation_end_time IS NULL');
    const outlier = reports.flatMap((r) => (r.outlierLatency.count ? [r.outlierLatency] : []));
    const sortedPolls = Float64Array.from(polls).sort();
    const p = (a: Float64Array, q: number) => (a.length ? a[Math.min(a.length - 1, Math.floor(q * a.length))] : 0);
    const total = reports.reduce((a, r) => a + r.accepted, 0);
    const rssMB = process.resourceUsage().maxRSS / 1024;
    const result = {
      benchmark: 'detect',
      backend,
      things,
      periods,
      reports: total,
      clients,
      concurrency,
      setupSeconds: round(setupSeconds, 1),
      measuredSeconds: round(measured, 2),
      reportsPerSecond: round(total / measured, 1),
      loadCpuPct: round(loadCpuMs / 10 / measured, 1),
      // This process is the server (and the poller): reports per second of its CPU, what one free core would take.
      serverCpuPct: round((100 * serverCpuSeconds) / measured, 1),
      reportsPerServerCpuSecond: round(total / serverCpuSeconds, 1),
      violations: { raised, cleared, active: stillActive },
      reportToViolationMs: {
        reports: outlier.reduce((a, o) => a + o.count, 0),
        p50: round(Math.max(0, ...outlier.map((o) => o.p50Ms)), 1),
        p99: round(Math.max(0, ...outlier.map((o) => o.p99Ms)), 1),
        max: round(Math.max(0, ...outlier.map((o) => o.maxMs)), 1),
      },
      reportLatencyMs: { p50: round(Math.max(...reports.map((r) => r.latency.p50Ms)), 1), p99: round(Math.max(...reports.map((r) => r.latency.p99Ms)), 1) },
      listActiveViolationsMs: { polls: polls.length, p50: round(p(sortedPolls, 0.5), 1), p99: round(p(sortedPolls, 0.99), 1) },
      peakRssMB: round(rssMB, 1),
      goals: GOALS,
      met: {
        reportsPerSecond: total / measured >= GOALS.reportsPerSecond,
        reportToViolationP99Ms: Math.max(0, ...outlier.map((o) => o.p99Ms)) < GOALS.reportToViolationP99Ms,
        peakRssMB: rssMB < GOALS.peakRssMB,
      },
      loadAverage: loadAverage(),
      node: process.version,
      cpus: cpus().length,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    api.close();
    await server.close();
    if (pg) await dropSchema(pg);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  killWorkers();
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
