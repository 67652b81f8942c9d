import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { EngineClient, latencySummary, type EngineCall } from './engine-client.js';

/**
 * Poller child of `bench:engine`: `node dist/bench/engine-poll.js JOB.json`. After `go` on stdin it
 * sends DescribeAuditMitigationActionsTask and DescribeMitigationAction, each `perSecond` times a
 * second on a fixed schedule (a slow answer does not delay the next request), across the nodes in
 * turn, until the task has ended (or `timeoutMs`); then prints one JSON PollReport line.
 */
export interface PollJob {
  urls: string[];
  taskId: string;
  actionName: string;
  perSecond: number;
  timeoutMs: number;
}

export interface TaskDescription {
  taskStatus?: string;
  startTime?: number;
  endTime?: number;
  taskStatistics?: Record<string, { totalFindingsCount?: number; succeededFindingsCount?: number; failedFindingsCount?: number; skippedFindingsCount?: number; canceledFindingsCount?: number }>;
}

export interface PollReport {
  describeTask: ReturnType<typeof latencySummary> & { errors: number };
  describeAction: ReturnType<typeof latencySummary> & { errors: number };
  errorSamples: string[];
  /** Epoch ms at which a reply first said the task had ended; undefined on timeout. */
  endedAtMs?: number;
  final?: TaskDescription;
  /** [seconds since go, findings done] about once a second, from the replies. */
  progress: [number, number][];
}

const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELED']);

async function run(job: PollJob): Promise<PollReport> {
  const client = new EngineClient(job.urls, 16);
  const lat = { task: [] as number[], action: [] as number[] };
  const errors = { task: 0, action: 0 };
  const errorSamples: string[] = [];
  const progress: [number, number][] = [];
  const go = performance.now();
  let endedAtMs: number | undefined;
  let final: TaskDescription | undefined;
  let lastProgress = -1;
  let inFlight = 0;

  const fire = (which: 'task' | 'action', call: EngineCall): void => {
    const t0 = performance.now();
    inFlight++;
    client.send(call).then(
      (r) => {
        const now = performance.now();
        lat[which].push(now - t0);
        if (r.status !== 200) {
          errors[which]++;
          if (errorSamples.length < 5) errorSamples.push(`${which} ${r.status} ${r.body.slice(0, 200)}`);
          return;
        }
        if (which !== 'task') return;
        const d = JSON.parse(r.body) as TaskDescription;
        const second = Math.floor((now - go) / 1000);
        if (second > lastProgress) {
          lastProgress = second;
          const s = Object.values(d.taskStatistics ?? {});
          progress.push([second, s.reduce((a, c) => a + (c.succeededFindingsCount ?? 0) + (c.failedFindingsCount ?? 0), 0)]);
        }
        if (d.taskStatus && ENDED.has(d.taskStatus) && endedAtMs === undefined) {
          endedAtMs = performance.timeOrigin + now;
          final = d;
        }
      },
      (e: Error) => {
        errors[which]++;
        if (errorSamples.length < 5) errorSamples.push(`${which}: ${e.message}`);
      },
    ).finally(() => inFlight--);
  };

  const every = 1000 / job.perSecond;
  const taskCall: EngineCall = { method: 'GET', path: `/audit/mitigationactions/tasks/${encodeURIComponent(job.taskId)}` };
  const actionCall: EngineCall = { method: 'GET', path: `/mitigationactions/actions/${encodeURIComponent(job.actionName)}` };
  const a = setInterval(() => fire('task', taskCall), every);
  // The second series is offset by half a period so the two never arrive together.
  let b: NodeJS.Timeout | undefined;
  const offset = setTimeout(() => (b = setInterval(() => fire('action', actionCall), every)), every / 2);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (endedAtMs !== undefined || performance.now() - go > job.timeoutMs) {
        clearInterval(check);
        resolve();
      }
    }, 10);
  });
  clearInterval(a);
  clearTimeout(offset);
  if (b) clearInterval(b);
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  client.close();
  return {
    describeTask: { ...latencySummary(lat.task), errors: errors.task },
    describeAction: { ...latencySummary(lat.action), errors: errors.action },
    errorSamples,
    endedAtMs,
    final,
    progress,
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as PollJob;
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'go') break;
  process.stdout.write(`${JSON.stringify(await run(job))}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`engine-poll: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
