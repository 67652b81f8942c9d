import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { AUDIT_CHECKS } from '../src/audit/checks/index.js';
import { CHECK_NAMES } from '../src/audit/checks.js';
import { projectRoot } from '../src/base/paths.js';
import { runAudit, type AuditRun } from './audit-run.js';
import { LAYOUT, setup, type SetupResult, type Sizes } from './audit-setup.js';
import { keepProfile } from './profile-summary.js';
import { analyzeSchema, benchRun, dropSchema, envBackend, type Backend } from './pg-schema.js';
import { envFlag, envInt, loadAverage, log, round, startServer, type ServerProcess } from './procs.js';
import { envSnapshot, restoreSnapshot, saveSnapshot, type SnapshotKind } from './snapshot.js';

/**
 * `npm run bench:audit`: one on-demand audit of every check Warden evaluates (AUDIT_CHECKS) over
 * an account with BENCH_DEVICE_CERTS (100,000) device certificates, BENCH_CA_CERTS (1,000) CA
 * certificates, BENCH_POLICIES (10,000) policies and BENCH_THINGS (100,000) things (plus
 * BENCH_CONNECTIONS, one per thing by default, connection events).
 *
 *  1. Setup, not timed (audit-setup.ts): the registry written straight into the store.
 *  2. A fresh `warden serve` on it (--log-level info); the timed audit (audit-run.ts).
 *
 * Prints one JSON object on stdout (time per check and in total, findings per check, the server's
 * peak RSS), progress on stderr. Exits 0 when the audit ran to its end, whether or not the goals
 * were met; 1 on errors (the task did not end, a check Warden evaluates ended FAILED for another
 * reason than CHECK_NOT_SUPPORTED).
 *
 * Environment: BENCH_SNAPSHOT=DIR (SQLite: keep the set-up data directory in DIR and reuse it on
 * later runs of the same sizes; each run works on a copy), BENCH_BACKEND (sqlite | postgres, with
 * BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, a fresh schema dropped at
 * the end), BENCH_PG_ANALYZE=1 (PostgreSQL: ANALYZE the schema's tables after setup, as autovacuum
 * would after such a bulk load; without it, a server with autovacuum off plans with no statistics),
 * BENCH_TIMEOUT (600 s), BENCH_PROFILE=1 (the server under `node --cpu-prof`, summarised).
 */
const GOALS = { totalSeconds: 10, peakRssMb: 300 };

interface Config {
  sizes: Sizes;
  backend: Backend;
  snapshot?: string;
  timeoutMs: number;
  profile: boolean;
  analyze: boolean;
}

function config(): Config {
  const backend = envBackend();
  const snapshot = envSnapshot(backend);
  const things = envInt('BENCH_THINGS', 100_000, 0);
  return {
    sizes: {
      deviceCertificates: envInt('BENCH_DEVICE_CERTS', 100_000, 0),
      caCertificates: envInt('BENCH_CA_CERTS', 1_000, 0),
      policies: envInt('BENCH_POLICIES', 10_000, 0),
      things,
      connectionEvents: envInt('BENCH_CONNECTIONS', things, 0),
    },
    backend,
    snapshot,
    timeoutMs: envInt('BENCH_TIMEOUT', 600, 10) * 1000,
    profile: envFlag('BENCH_PROFILE'),
    analyze: envFlag('BENCH_PG_ANALYZE'),
  };
}

interface Manifest {
  sizes: Sizes;
  layout: number;
  setup: SetupResult;
}

type Prepared = SetupResult & { reusedSnapshot?: string };

const ageDays = (m: Manifest): number => (Date.now() - m.setup.madeAt) / 86_400_000;

/** SQLite: the data directory from BENCH_SNAPSHOT when its sizes match, else a fresh setup (saved there when asked). */
async function prepare(c: Config, dataDir: string, databaseUrl: string | undefined): Promise<Prepared> {
  const kind: SnapshotKind<Manifest> = {
    what: 'the data directory',
    misfit: (m) =>
      JSON.stringify(m.sizes) === JSON.stringify(c.sizes) && m.layout === LAYOUT
        ? undefined
        : `other sizes (${JSON.stringify(m.sizes)}) or an older layout (${m.layout ?? 1}, now ${LAYOUT})`,
    about: (m) => `made ${ageDays(m).toFixed(1)} days ago`,
  };
  const kept = restoreSnapshot(c.snapshot, dataDir, kind);
  if (kept) {
    if (ageDays(kept) > 7) log('  its validity periods and connection times were laid out from then, so the findings drift from the seeded counts');
    return { ...kept.setup, reusedSnapshot: c.snapshot };
  }
  const result = await setup(dataDir, databaseUrl, c.sizes);
  log(`setup done in ${result.seconds} s: ${JSON.stringify(result.counts)}`);
  if (c.snapshot) saveSnapshot(c.snapshot, dataDir, { sizes: c.sizes, layout: LAYOUT, setup: result } satisfies Manifest, kind.what);
  return result;
}

/** The checks to run: every one Warden evaluates (AUDIT_CHECKS); the other known names are reported as not evaluated. */
function checksToRun(): { checks: string[]; notEvaluated: string[] } {
  return { checks: [...AUDIT_CHECKS.keys()].sort(), notEvaluated: CHECK_NAMES.filter((n) => !AUDIT_CHECKS.has(n)).sort() };
}

/** The server's CPU profile (BENCH_PROFILE=1), kept in the temp folder and summarised. */
function profileOf(dir: string) {
  const s = keepProfile(dir, `warden-bench-audit-${process.pid}`, 'the server');
  return s && { file: s.file, busyMs: s.busyMs, idlePct: s.idlePct, topSelf: s.topSelf.slice(0, 15), projectInclusive: s.projectInclusive.slice(0, 20) };
}

async function main(): Promise<number> {
  const root = projectRoot();
  const c = config();
  const { work, dataDir, profileDir, pg } = benchRun('audit', c.backend, c.profile);
  const databaseUrl = pg?.databaseUrl;
  let server: ServerProcess | undefined;
  const onSignal = (): void => {
    server?.child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const loadAtStart = loadAverage();
  const { checks, notEvaluated } = checksToRun();
  log(`${JSON.stringify(c.sizes)}, ${c.backend}; ${checks.length} checks; load average ${loadAtStart} (${cpus().length} cpus)`);
  try {
    const prepared = await prepare(c, dataDir, databaseUrl);
    if (c.analyze && pg) await analyzeSchema(pg);
    const args = ['serve', '--no-mqtt', '--port', '0', '--log-level', 'info', '--data-dir', dataDir, ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
    const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    server = await startServer('warden', [...flags, join(root, 'bin', 'warden.js'), ...args], root, {}, 120_000);
    log(`warden ${server.url} (pid ${server.child.pid})`);
    const loadBeforeRun = loadAverage();
    let run: AuditRun;
    try {
      run = await runAudit(server, checks, c.timeoutMs);
    } finally {
      await server.stop(30_000); // graceful, so --cpu-prof writes its profile
    }
    // CHECK_NOT_SUPPORTED is a check's own answer (e.g. the Cognito checks: Warden has no Cognito), not an error.
    const failed = Object.entries(run.perCheck).filter(([, f]) => f.status === 'FAILED' && f.errorCode !== 'CHECK_NOT_SUPPORTED');
    const slowest = Object.entries(run.perCheck)
      .filter(([, f]) => f.ms !== null)
      .sort((a, b) => b[1].ms! - a[1].ms!)
      .slice(0, 5)
      .map(([name, f]) => ({ check: name, ms: f.ms }));
    const completed = !run.timedOut && run.taskStatus === 'COMPLETED';
    log(`task ${run.taskStatus} in ${run.totalSeconds} s; peak RSS ${run.peakRssMb} MB; slowest ${slowest.map((s) => `${s.check} ${s.ms} ms`).join(', ')}`);
    const report = {
      benchmark: 'audit',
      backend: c.backend,
      counts: { ...c.sizes, tables: prepared.counts },
      seeded: prepared.seeded,
      setupSeconds: prepared.seconds,
      setupPhases: prepared.phases,
      ...(prepared.reusedSnapshot ? { reusedSnapshot: prepared.reusedSnapshot, snapshotMadeAt: new Date(prepared.madeAt).toISOString() } : {}),
      taskId: run.taskId,
      taskStatus: run.timedOut ? `IN_PROGRESS: not ended after ${round(run.totalSeconds, 1)} s (BENCH_TIMEOUT)` : run.taskStatus,
      checks: checks.length,
      notEvaluated,
      totalSeconds: run.totalSeconds,
      checksSeconds: round(run.checksMs / 1000, 3),
      startLatencyMs: run.startLatencyMs,
      perCheck: run.perCheck,
      slowest,
      peakRssMb: run.peakRssMb,
      rssAtStartMb: run.rssAtStartMb,
      serverCpuSeconds: run.serverCpuSeconds,
      polls: run.polls,
      pollErrors: run.pollErrors,
      pollLatencyMs: run.pollLatencyMs,
      goals: GOALS,
      met: { totalSeconds: completed && run.totalSeconds < GOALS.totalSeconds, peakRssMb: run.peakRssMb < GOALS.peakRssMb },
      ...(c.backend === 'postgres' ? { note: 'the goals are for SQLite; PostgreSQL figures are reported only', analyzedAfterSetup: c.analyze } : {}),
      ...(profileDir ? { profile: profileOf(profileDir) } : {}),
      loadAverage: { start: loadAtStart, beforeRun: loadBeforeRun, end: loadAverage() },
      node: process.version,
      cpus: cpus().length,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (!completed) {
      log(`the audit did not complete (${report.taskStatus})`);
      return 1;
    }
    if (failed.length) {
      log(`checks that Warden evaluates ended FAILED: ${failed.map(([n, f]) => `${n} (${f.errorCode}: ${f.message})`).join('; ')}`);
      return 1;
    }
    return 0;
  } finally {
    await server?.stop(5000);
    if (pg) await dropSchema(pg);
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(`failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
