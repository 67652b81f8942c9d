import { createInterface } from 'node:readline';
import {
  DescribeAuditTaskCommand,
  IoTClient,
  StartOnDemandAuditTaskCommand,
  UpdateAccountAuditConfigurationCommand,
  type DescribeAuditTaskCommandOutput,
} from '@aws-sdk/client-iot';
import { cpuSeconds, log, procMemory, round, type ServerProcess } from './procs.js';

/**
 * The timed part of `bench:audit`: against a running `warden serve` (--log-level info), enable the
 * checks (UpdateAccountAuditConfiguration, not timed), then StartOnDemandAuditTask of all of them
 * and DescribeAuditTask every 50 ms until the task is no longer IN_PROGRESS. The total runs from
 * sending the start request to the answer of the first poll that sees the task ended. Each
 * check's time is the `ms` of the runner's `audit check evaluated` log line (evaluation plus the
 * transaction that writes its findings).
 */
export interface CheckFigures {
  ms: number | null;
  status: string;
  nonCompliant: number | null;
  total: number | null;
  suppressed?: number;
  errorCode?: string;
  message?: string;
}

export interface AuditRun {
  taskId: string;
  taskStatus: string;
  timedOut: boolean;
  startLatencyMs: number;
  totalSeconds: number;
  /** Sum of the per-check times: the rest of the total is the runner's pick-up and the polling grain. */
  checksMs: number;
  perCheck: Record<string, CheckFigures>;
  polls: number;
  pollErrors: number;
  /**
   * DescribeAuditTask answer times during the audit: how long the API waits while checks run
   * (SQLite calls are synchronous, so a check that never yields to the event loop holds every request).
   */
  pollLatencyMs: { p50: number; max: number };
  peakRssMb: number;
  rssAtStartMb: number;
  serverCpuSeconds: number;
}

const POLL_MS = 50;

/** src/audit/runner.ts logs `audit check evaluated` with the task's id, the check and its time. */
interface CheckLine {
  taskId: string;
  check?: string;
  ms?: number;
  msg?: string;
}

/** Collects the runner's per-check times (ms by `taskId/check`) from the server's stdout (pino JSON, one object a line). */
function checkTimes(server: ServerProcess): Map<string, number> {
  const times = new Map<string, number>();
  const lines = createInterface({ input: server.child.stdout! });
  lines.on('line', (line) => {
    if (!line.includes('audit check evaluated')) return;
    try {
      const o = JSON.parse(line) as CheckLine;
      if (o.msg !== 'audit check evaluated' || !o.check || typeof o.ms !== 'number') return;
      const key = `${o.taskId}/${o.check}`;
      times.set(key, (times.get(key) ?? 0) + o.ms);
    } catch {
      // not a JSON log line
    }
  });
  return times;
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runAudit(server: ServerProcess, checks: string[], timeoutMs: number): Promise<AuditRun> {
  const times = checkTimes(server);
  const pid = server.child.pid!;
  const client = new IoTClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  try {
    await client.send(
      new UpdateAccountAuditConfigurationCommand({
        roleArn: 'arn:aws:iam::000000000000:role/warden-bench-audit',
        auditCheckConfigurations: Object.fromEntries(checks.map((name) => [name, { enabled: true }])),
      }),
    );
    // One request first, so the timed start does not pay for the SDK's and the server's first-call costs.
    await client.send(new DescribeAuditTaskCommand({ taskId: 'warm-up' })).catch(() => undefined);
    const rssAtStartMb = procMemory(pid)?.rssMB ?? NaN;
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    const { taskId } = await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: checks }));
    const startLatencyMs = performance.now() - t0;
    if (!taskId) throw new Error('StartOnDemandAuditTask answered no taskId');
    log(`StartOnDemandAuditTask ${taskId}: ${startLatencyMs.toFixed(1)} ms; ${checks.length} checks; polling every ${POLL_MS} ms`);
    let last: DescribeAuditTaskCommandOutput | undefined;
    let polls = 0;
    const latencies: number[] = [];
    let pollErrors = 0;
    let endedAt: number | undefined;
    let nextLog = performance.now() + 2000;
    let next = performance.now();
    while (performance.now() - t0 < timeoutMs) {
      next += POLL_MS;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      else next = performance.now();
      polls++;
      try {
        const q0 = performance.now();
        last = await client.send(new DescribeAuditTaskCommand({ taskId }));
        latencies.push(performance.now() - q0);
      } catch (e) {
        pollErrors++;
        if (pollErrors <= 3) log(`DescribeAuditTask failed: ${(e as Error).message}`);
        continue;
      }
      if (last.taskStatus !== 'IN_PROGRESS') {
        endedAt = performance.now();
        break;
      }
      if (performance.now() >= nextLog) {
        const done = Object.values(last.auditDetails ?? {}).filter((d) => d.checkRunStatus !== 'IN_PROGRESS').length;
        log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s: ${done}/${checks.length} checks done`);
        nextLog += 2000;
      }
    }
    const serverCpuSeconds = round(cpuSeconds(pid) - cpu0, 2);
    const timedOut = endedAt === undefined;
    const totalSeconds = ((endedAt ?? performance.now()) - t0) / 1000;
    // The last check's log line is written right after its transaction; give the pipe a moment.
    for (let k = 0; k < 40 && checks.some((c) => !times.has(`${taskId}/${c}`)); k++) await sleep(25);
    const perCheck: Record<string, CheckFigures> = {};
    for (const name of checks) {
      const d = last?.auditDetails?.[name];
      perCheck[name] = {
        ms: times.get(`${taskId}/${name}`) ?? null,
        status: d?.checkRunStatus ?? 'UNKNOWN',
        nonCompliant: d?.nonCompliantResourcesCount ?? null,
        total: d?.totalResourcesCount ?? null,
        ...(d?.suppressedNonCompliantResourcesCount ? { suppressed: d.suppressedNonCompliantResourcesCount } : {}),
        ...(d?.errorCode ? { errorCode: d.errorCode } : {}),
        ...(d?.message ? { message: d.message } : {}),
      };
    }
    const checksMs = Object.values(perCheck).reduce((a, c) => a + (c.ms ?? 0), 0);
    return {
      taskId,
      taskStatus: last?.taskStatus ?? 'UNKNOWN',
      timedOut,
      startLatencyMs: round(startLatencyMs, 1),
      totalSeconds: round(totalSeconds, 3),
      checksMs,
      perCheck,
      polls,
      pollErrors,
      pollLatencyMs: { p50: round(median(latencies), 1), max: round(Math.max(0, ...latencies), 1) },
      peakRssMb: procMemory(pid)?.peakRssMB ?? NaN,
      rssAtStartMb,
      serverCpuSeconds,
    };
  } finally {
    client.destroy();
  }
}
