import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/base/paths.js';
import { Store } from '../src/store/store.js';
import { EngineClient } from './engine-client.js';
import { runFloor, runPgFloor, type FloorResult } from './engine-floor.js';
import type { PollJob, PollReport } from './engine-poll.js';
import { sampleMemory } from './engine-procs.js';
import { ACTIONS, CHECK, GROUP, setup, type SetupResult } from './engine-setup.js';
import { keepProfile } from './profile-summary.js';
import { analyzeSchema, benchRun, copySchema, dropSchema, envBackend, namedSchema, type Backend, type BenchSchema } from './pg-schema.js';
import { cpuSeconds, envFlag, envInt, killWorkers, loadAverage, log, procMemory, round, startServer, startWorker, type ServerProcess } from './procs.js';
import { envSnapshot, restoreSnapshot, saveSnapshot } from './snapshot.js';

/**
 * `npm run bench:engine`: one audit mitigation task over BENCH_FINDINGS (500,000) findings, each on
 * its own device certificate attached to its own thing, with two actions per finding
 * (UPDATE_DEVICE_CERTIFICATE, then ADD_THINGS_TO_THING_GROUP to `quarantine`): 1,000,000 executions.
 *
 *  1. Setup through the API, not timed (engine-setup.ts), on servers that are then stopped.
 *  2. Fresh server process(es) on the same data, so the peak RSS (VmHWM) is the run's own; a short
 *     warm-up; StartAuditMitigationActionsTask (its latency); a poller process (engine-poll.ts)
 *     sends DescribeAuditMitigationActionsTask and DescribeMitigationAction 20 times a second each
 *     until the task has ended, which gives the time from Start to COMPLETED.
 *  3. The result checked in the database: 2 COMPLETED executions per finding, every certificate
 *     INACTIVE, every thing in `quarantine`.
 *  4. The floor (engine-floor.ts): the same row writes straight through better-sqlite3, or on
 *     PostgreSQL through `pg` in multi-row statements, on a schema of its own next to the run's.
 *
 * Prints one JSON object on stdout, progress on stderr; exits 0 when the run completed and checked
 * out, whether or not the goals were met. Environment: BENCH_FINDINGS, BENCH_BACKEND (sqlite |
 * postgres, with BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, a fresh schema
 * dropped at the end), BENCH_NODES (1 | 2 | both; 2 needs postgres; both measures one node, then two
 * nodes on a copy of the set-up schema, and reports two nodes' rate over one's), BENCH_CONCURRENCY (32 devices in flight
 * during setup), BENCH_CLIENTS (1 setup load process), BENCH_POLL_RATE (20 per second per operation),
 * BENCH_TIMEOUT (1800 s), BENCH_FLOOR=0 (skip the floor), BENCH_PROFILE=1 (the run's servers under
 * `node --cpu-prof`, summarised), BENCH_SNAPSHOT=DIR (SQLite: keep the set-up database in DIR and
 * reuse it on later runs with the same BENCH_FINDINGS, so only the measured part is repeated),
 * BENCH_PG_ANALYZE=1 (PostgreSQL: ANALYZE the schema's tables after setup, as autovacuum would have
 * after such a bulk load; without it, a server with autovacuum off plans with no statistics).
 */
/** PostgreSQL (issue 16): one node at least half the floor, two nodes at least 1.6 times one node, in one run. */
const PG_GOALS = { floorRatio: 0.5, twoNodeRatio: 1.6 };
/** SQLite: the ratio to the row-at-a-time floor is issue 16's (Warden faster than the floor); the others are the earlier goals. */
const GOALS = { executionSeconds: 60, floorRatio: 1.2, startLatencyMs: 50, peakRssMB: 300, describeP99Ms: 50 };

interface Config {
  findings: number;
  backend: Backend;
  /** Node counts measured one after the other: [1], [2] or [1, 2]. */
  nodes: number[];
  concurrency: number;
  clients: number;
  pollRate: number;
  timeoutMs: number;
  floor: boolean;
  profile: boolean;
  snapshot?: string;
  analyze: boolean;
}

function config(): Config {
  const backend = envBackend();
  const text = process.env.BENCH_NODES ?? '';
  const nodes = text.toLowerCase() === 'both' ? [1, 2] : [envInt('BENCH_NODES', 1, 1, 2)];
  if (nodes.includes(2) && backend === 'sqlite') throw new Error('BENCH_NODES=2 or both needs BENCH_BACKEND=postgres (a SQLite file has one owner)');
  const snapshot = envSnapshot(backend);
  return {
    findings: envInt('BENCH_FINDINGS', 500_000, 1),
    backend,
    nodes,
    concurrency: envInt('BENCH_CONCURRENCY', 32, 1),
    clients: envInt('BENCH_CLIENTS', 1, 1),
    pollRate: envInt('BENCH_POLL_RATE', 20, 1, 1000),
    timeoutMs: envInt('BENCH_TIMEOUT', 1800, 10) * 1000,
    floor: process.env.BENCH_FLOOR !== '0',
    profile: envFlag('BENCH_PROFILE'),
    snapshot,
    analyze: envFlag('BENCH_PG_ANALYZE'),
  };
}

/** Starts the nodes one after the other (the first migrates the schema). */
async function startNodes(root: string, count: number, dataDir: string, databaseUrl: string | undefined, label: string, profileDir?: string): Promise<ServerProcess[]> {
  const nodes: ServerProcess[] = [];
  for (let k = 0; k < count; k++) {
    const args = ['serve', '--no-mqtt', '--port', '0', '--log-level', 'warn', '--data-dir', dataDir, ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
    const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, `node-${k}`)] : [];
    const node = await startServer(`${label}-${k}`, [...flags, join(root, 'bin', 'warden.js'), ...args], root, {}, 60_000);
    log(`${label} node ${k}: ${node.url} (pid ${node.child.pid})`);
    nodes.push(node);
  }
  return nodes;
}

type Prepared = SetupResult & { serverPeakRssMB: (number | undefined)[]; reusedSnapshot?: string };

interface Manifest {
  findings: number;
  setup: Prepared;
}

const SNAPSHOT_OF = 'the set-up database';

/** SQLite: the set-up database from BENCH_SNAPSHOT when it matches, or a fresh setup (main saves it there when asked, once the servers are stopped). */
async function prepare(root: string, work: string, c: Config, dataDir: string, databaseUrl: string | undefined): Promise<Prepared> {
  const kept = restoreSnapshot<Manifest>(c.snapshot, dataDir, {
    what: SNAPSHOT_OF,
    misfit: (m) => (m.findings === c.findings ? undefined : `${m.findings} findings, not ${c.findings}`),
    about: (m) => `${m.findings} findings`,
  });
  if (kept) return { ...kept.setup, reusedSnapshot: c.snapshot };
  const nodes = await startNodes(root, Math.max(...c.nodes), dataDir, databaseUrl, 'setup');
  try {
    const result = await setup(root, work, nodes.map((n) => n.url), c.findings, c.concurrency, c.clients);
    const serverPeakRssMB = nodes.map((n) => procMemory(n.child.pid!)?.peakRssMB);
    log(`setup done in ${result.seconds} s; setup server peak RSS ${serverPeakRssMB.join(', ')} MB`);
    return { ...result, serverPeakRssMB };
  } finally {
    await Promise.all(nodes.map((n) => n.stop(30_000)));
  }
}

async function measure(root: string, work: string, c: Config, count: number, dataDir: string, databaseUrl: string | undefined, auditTaskId: string, profileDir?: string) {
  const nodes = await startNodes(root, count, dataDir, databaseUrl, 'warden', profileDir);
  const urls = nodes.map((n) => n.url);
  const pids = nodes.map((n) => n.child.pid!);
  const client = new EngineClient(urls, 8);
  try {
    for (let i = 0; i < 200; i++) await client.json({ method: 'GET', path: `/mitigationactions/actions/${ACTIONS[i % 2].name}` }, 'DescribeMitigationAction (warm-up)');
    const taskId = `bench-${Date.now().toString(36)}`;
    const poller = await startWorker<PollReport>(root, work, 'engine-poll', 'poll', {
      urls, taskId, actionName: ACTIONS[0].name, perSecond: c.pollRate, timeoutMs: c.timeoutMs,
    } satisfies PollJob);
    const memory = sampleMemory(pids);
    const cpu0 = pids.map(cpuSeconds);
    const rssAtStart = pids.map((p) => procMemory(p)?.rssMB);
    const body = JSON.stringify({ target: { auditTaskId }, auditCheckToActionsMapping: { [CHECK]: ACTIONS.map((a) => a.name) }, clientRequestToken: randomUUID() });
    const t0 = performance.now();
    const started = await client.send({ method: 'POST', path: `/audit/mitigationactions/tasks/${taskId}`, body }, 0);
    const startLatencyMs = performance.now() - t0;
    if (started.status !== 200) throw new Error(`StartAuditMitigationActionsTask answered ${started.status}: ${started.body}`);
    poller.go();
    log(`StartAuditMitigationActionsTask ${taskId}: ${startLatencyMs.toFixed(1)} ms; polling until it ends`);
    const poll = await poller.result;
    const mem = memory.stop();
    const cpu = pids.map((p, k) => round(cpuSeconds(p) - cpu0[k], 2));
    const status = pids.map(procMemory);
    const timedOut = poll.endedAtMs === undefined;
    if (timedOut) log(`the task did not end within ${c.timeoutMs / 1000} s (progress ${JSON.stringify(poll.progress.at(-1))}); stopping the server`);
    const seconds = timedOut ? (performance.now() - t0) / 1000 : (poll.endedAtMs! - (performance.timeOrigin + t0)) / 1000;
    return { taskId, startLatencyMs, seconds, timedOut, poll, memory: mem, cpu, status, rssAtStart };
  } finally {
    client.close();
    await Promise.all(nodes.map((n) => n.stop(30_000))); // graceful: --cpu-prof writes its profile
  }
}

/** Counts what the task did, straight from the database. */
async function verify(dataDir: string, databaseUrl: string | undefined, taskId: string): Promise<Record<string, number>> {
  const store = await Store.open({ dataDir, databaseUrl });
  try {
    const n = async (sql: string, params: unknown[]): Promise<number> => Number((await store.db.get<{ n: number }>(sql, params))?.n ?? 0);
    return {
      completedExecutions: await n("SELECT COUNT(*) AS n FROM mitigation_executions WHERE kind = 'audit' AND task_id = ? AND status = 'COMPLETED'", [taskId]),
      otherExecutions: await n("SELECT COUNT(*) AS n FROM mitigation_executions WHERE kind = 'audit' AND task_id = ? AND status <> 'COMPLETED'", [taskId]),
      inactiveCertificates: await n("SELECT COUNT(*) AS n FROM certificates WHERE status = 'INACTIVE'", []),
      quarantinedThings: await n('SELECT COUNT(*) AS n FROM thing_group_members WHERE group_name = ?', [GROUP]),
    };
  } finally {
    await store.db.close();
  }
}

interface Measured {
  nodes: number;
  run: Awaited<ReturnType<typeof measure>>;
  executionsPerSecond: number;
  ok: boolean;
  report: ReturnType<typeof runReport> & { failed?: string };
}

/** One measurement (a fresh task on `nodes` nodes over the set-up findings), checked in the database. */
async function measured(root: string, work: string, c: Config, nodes: number, dataDir: string, databaseUrl: string | undefined, auditTaskId: string, profileDir?: string): Promise<Measured> {
  const loadBeforeRun = loadAverage();
  const run = await measure(root, work, c, nodes, dataDir, databaseUrl, auditTaskId, profileDir);
  const loadAfterRun = loadAverage();
  const doneFindings = run.timedOut ? (run.poll.progress.at(-1)?.[1] ?? 0) : c.findings;
  const executionsPerSecond = round((2 * doneFindings) / run.seconds, 1);
  log(`${nodes} node(s): task ${run.poll.final?.taskStatus ?? 'still IN_PROGRESS'} after ${run.seconds.toFixed(2)} s: ${executionsPerSecond} executions/s`);
  const checked = await verify(dataDir, databaseUrl, run.taskId);
  const stats = run.poll.final?.taskStatistics?.[CHECK];
  const ok =
    run.poll.final?.taskStatus === 'COMPLETED' &&
    stats?.succeededFindingsCount === c.findings &&
    checked.completedExecutions === 2 * c.findings &&
    checked.otherExecutions === 0 &&
    checked.inactiveCertificates === c.findings &&
    checked.quarantinedThings === c.findings &&
    run.poll.describeTask.errors + run.poll.describeAction.errors === 0;
  log(`checked: ${JSON.stringify(checked)}${ok ? '' : ' — NOT what the task should have done'}`);
  const report = runReport(c, nodes, run, doneFindings, executionsPerSecond, stats, checked, profileDir, { beforeRun: loadBeforeRun, afterRun: loadAfterRun });
  return { nodes, run, executionsPerSecond, ok, report: ok ? report : { ...report, failed: 'the task did not do what it should' } };
}

function runReport(
  c: Config,
  nodes: number,
  run: Awaited<ReturnType<typeof measure>>,
  doneFindings: number,
  executionsPerSecond: number,
  stats: unknown,
  checked: Record<string, number>,
  profileDir: string | undefined,
  load: { beforeRun: unknown; afterRun: unknown },
) {
  const peakRssMB = run.status.map((s) => s?.peakRssMB ?? NaN);
  const serverSeconds = run.poll.final?.startTime && run.poll.final.endTime ? round(run.poll.final.endTime - run.poll.final.startTime, 3) : undefined;
  const stride = Math.max(1, Math.ceil(run.poll.progress.length / 40));
  return {
    nodes,
    taskId: run.taskId,
    taskStatus: run.poll.final?.taskStatus ?? `IN_PROGRESS: not ended after ${round(run.seconds, 1)} s (BENCH_TIMEOUT), ${doneFindings} of ${c.findings} findings done`,
    startLatencyMs: round(run.startLatencyMs, 2),
    startToCompletedSeconds: run.timedOut ? null : round(run.seconds, 3),
    measuredSeconds: round(run.seconds, 3),
    serverStartToEndSeconds: serverSeconds,
    executionsPerSecond,
    server: {
      peakRssMB,
      sampledMaxRssMB: run.memory.maxRssMB,
      rssAtStartMB: run.rssAtStart,
      cpuSecondsDuringRun: run.cpu,
      cpuPctDuringRun: run.cpu.map((s) => round((100 * s) / run.seconds, 1)),
      rssSeriesMB: run.memory.series,
    },
    polling: { perSecondEach: c.pollRate, describeAuditMitigationActionsTask: run.poll.describeTask, describeMitigationAction: run.poll.describeAction, errorSamples: run.poll.errorSamples },
    progress: run.poll.progress.filter((_, i) => i % stride === 0 || i === run.poll.progress.length - 1),
    taskStatistics: stats,
    checked,
    ...(profileDir ? { profiled: true, profiles: run.status.map((_, k) => profileOf(profileDir, k)) } : {}),
    loadAverage: load,
  };
}

function profileOf(profileDir: string, k: number) {
  const s = keepProfile(join(profileDir, `node-${k}`), `warden-bench-engine-${process.pid}-node-${k}`, `node ${k}`);
  return s && { file: s.file, busyMs: s.busyMs, idlePct: s.idlePct, topSelf: s.topSelf.slice(0, 15), byArea: s.byArea.slice(0, 12), projectInclusive: s.projectInclusive.slice(0, 20) };
}

async function main(): Promise<number> {
  const root = projectRoot();
  const c = config();
  const { work, dataDir, profileDir, pg } = benchRun('engine', c.backend, c.profile);
  const databaseUrl = pg?.databaseUrl;
  const onSignal = (): void => {
    killWorkers();
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const extraSchemas: BenchSchema[] = [];
  const loadAtStart = loadAverage();
  log(`${c.findings} findings, ${2 * c.findings} executions, ${c.backend}, ${c.nodes.join(' then ')} node(s); load average ${loadAtStart} (${cpus().length} cpus)`);
  try {
    const prepared = await prepare(root, work, c, dataDir, databaseUrl);
    // BENCH_NODES=both: the two-node run gets a copy of the set-up schema, made before either run.
    const twoNodeSchema = pg && c.nodes.length > 1 ? copySchema(pg, '_two') : undefined;
    if (twoNodeSchema) extraSchemas.push(twoNodeSchema);
    if (c.analyze && pg) for (const s of [pg, ...extraSchemas]) await analyzeSchema(s);
    if (c.snapshot && !prepared.reusedSnapshot) saveSnapshot(c.snapshot, dataDir, { findings: c.findings, setup: prepared } satisfies Manifest, SNAPSHOT_OF);
    const runs: Measured[] = [];
    for (const [i, nodes] of c.nodes.entries()) {
      const url = i === 0 ? databaseUrl : twoNodeSchema!.databaseUrl;
      runs.push(await measured(root, work, c, nodes, dataDir, url, prepared.auditTaskId, profileDir && join(profileDir, `nodes-${nodes}`)));
    }
    const [first] = runs;

    let floor: FloorResult | undefined;
    if (c.floor) {
      log(`floor: the same row writes for ${c.findings} findings straight through ${pg ? 'pg' : 'better-sqlite3'}`);
      if (pg) {
        const own = namedSchema(`${pg.schema}_floor`);
        extraSchemas.push(own);
        floor = await runPgFloor(c.findings, own);
      } else floor = await runFloor(c.findings);
      log(`floor: ${floor.executionsPerSecond} executions/s`);
    }
    const ratio = floor ? round(first.executionsPerSecond / floor.executionsPerSecond, 3) : undefined;
    const two = runs.find((r) => r.nodes === 2);
    const one = runs.find((r) => r.nodes === 1);
    const twoNodeRatio = one && two ? round(two.executionsPerSecond / one.executionsPerSecond, 3) : undefined;
    const ok = runs.every((r) => r.ok);
    const report = {
      benchmark: 'engine',
      backend: c.backend,
      findings: c.findings,
      executions: 2 * c.findings,
      ...first.report,
      floor,
      floorRatio: ratio,
      ...(runs.length > 1 ? { twoNodes: two!.report, twoNodeRatio } : {}),
      ...(c.backend === 'sqlite'
        ? {
            goals: GOALS,
            met: {
              executionSeconds: !first.run.timedOut && first.run.seconds < GOALS.executionSeconds,
              floorRatio: ratio === undefined ? undefined : ratio >= GOALS.floorRatio,
              startLatencyMs: first.run.startLatencyMs < GOALS.startLatencyMs,
              peakRssMB: Math.max(...first.report.server.peakRssMB) < GOALS.peakRssMB,
              describeP99Ms: Math.max(first.run.poll.describeTask.p99Ms, first.run.poll.describeAction.p99Ms) < GOALS.describeP99Ms,
            },
          }
        : {
            goals: PG_GOALS,
            met: {
              floorRatio: ratio === undefined || first.nodes !== 1 ? undefined : ratio >= PG_GOALS.floorRatio,
              twoNodeRatio: twoNodeRatio === undefined ? undefined : twoNodeRatio >= PG_GOALS.twoNodeRatio,
            },
          }),
      ...(ok ? {} : { failed: 'the task did not do what it should (see checked, taskStatistics, polling errors)' }),
      setup: prepared,
      ...(c.backend === 'postgres' ? { analyzedAfterSetup: c.analyze } : {}),
      loadAverage: { start: loadAtStart, end: loadAverage() },
      node: process.version,
      cpus: cpus().length,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return ok ? 0 : 1;
  } finally {
    killWorkers();
    if (pg) for (const s of [pg, ...extraSchemas]) await dropSchema(s);
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench:engine failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
