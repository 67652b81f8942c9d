import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { procMemory, round } from './procs.js';

/**
 * Process helpers of `bench:engine`: worker children that speak a small protocol (they print `ready`, wait for `go` on stdin, print one JSON line and exit).
 */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

export interface Worker<T> {
  child: ChildProcess;
  go(): void;
  result: Promise<T>;
}

/** Starts `node dist/bench/<script>.js JOB` with `job` written to `work/<name>.json`; resolves once it printed `ready`. */
export function startWorker<T>(root: string, work: string, script: string, name: string, job: unknown): Promise<Worker<T>> {
  const jobFile = join(work, `${name}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const child = spawn(process.execPath, [join(root, 'dist', 'bench', `${script}.js`), jobFile], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(`[${name}] ${d}`);
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolveReady, rejectReady) => {
    let ready = false;
    const result = new Promise<T>((resolve, reject) => {
      let report: T | undefined;
      lines.on('line', (line) => {
        if (line === 'ready') {
          ready = true;
          resolveReady({ child, go: () => child.stdin!.end('go\n'), result });
        } else if (line.startsWith('{')) report = JSON.parse(line) as T;
      });
      child.once('error', (e) => (ready ? reject(e) : rejectReady(e)));
      child.once('exit', (code, signal) => {
        children.delete(child);
        const e = new Error(`${name} exited (code ${code}, signal ${signal}) without a report${stderr ? `: ${stderr.trim().slice(-2000)}` : ''}`);
        if (!ready) return rejectReady(e);
        if (report !== undefined && code === 0) resolve(report);
        else reject(e);
      });
    });
    result.catch(() => undefined); // observed by the caller once ready
  });
}

/** Samples the RSS of some processes every `ms` until stopped; keeps the largest seen and a coarse series. */
export function sampleMemory(pids: number[], ms = 250): { stop(): { maxRssMB: number[]; series: [number, ...number[]][] } } {
  const t0 = performance.now();
  const max = pids.map(() => 0);
  const series: [number, ...number[]][] = [];
  let n = 0;
  const timer = setInterval(() => {
    const rss = pids.map((pid, k) => {
      const m = procMemory(pid)?.rssMB ?? 0;
      max[k] = Math.max(max[k], m);
      return m;
    });
    if (n++ % Math.max(1, Math.round(5000 / ms)) === 0) series.push([round((performance.now() - t0) / 1000, 1), ...rss]);
  }, ms);
  return {
    stop: () => {
      clearInterval(timer);
      return { maxRssMB: max, series };
    },
  };
}
