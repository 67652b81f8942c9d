import { spawn, spawnSync, type ChildProcess, type ChildProcessByStdio, type SpawnOptionsWithStdioTuple } from 'node:child_process';
import type { Readable } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * `node ...args`, kept on the CPUs of `cpuList` when given (through taskset, which execs node in
 * its own place, so the child's pid is node's).
 */
function spawnNode(args: string[], options: SpawnOptionsWithStdioPipes, cpuList?: string): ChildProcessByStdio<null, Readable, Readable> {
  return cpuList === undefined ? spawn(process.execPath, args, options) : spawn('taskset', ['-c', cpuList, process.execPath, ...args], options);
}

type SpawnOptionsWithStdioPipes = SpawnOptionsWithStdioTuple<'ignore', 'pipe', 'pipe'>;

/** Whether taskset (util-linux) can keep processes on given CPUs here. */
export function canPin(): boolean {
  return spawnSync('taskset', ['-c', '0', process.execPath, '-e', '0']).status === 0;
}

/** A child server process that printed `listening on http://HOST:PORT`. */
export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
/** The worker children (startWorker), also in `running`. */
const workers = new Set<ChildProcess>();

/** Last resort: whatever is still running when this process exits is killed. */
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** `env` without the WARDEN_* variables, which `warden serve` reads as options. */
function withoutWarden(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('WARDEN_')));
}

/**
 * Spawns `node ...args` and waits (at most `timeoutMs`) for its `listening on http://…` line on
 * stdout. The child gets our environment less any WARDEN_* variable (the benches' flags decide how
 * the server runs), plus `env`.
 */
export function startServer(name: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000, cpuList?: string): Promise<ServerProcess> {
  const child = spawnNode(args, { cwd, env: { ...withoutWarden(process.env), ...env }, stdio: ['ignore', 'pipe', 'pipe'] }, cpuList);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    running.delete(child);
    resolve();
  }));
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(`[${name}] ${d}`);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let ready = false;
    const fail = (why: string): void => {
      if (ready) return;
      clearTimeout(timer);
      void stop(1000);
      reject(new Error(`${name} did not start: ${why}${stderr ? `\n${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no 'listening on' line within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s)]+)/.exec(out);
      if (!m) return;
      ready = true;
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({ name, url: m[1].replace(/\/$/, ''), child, stop });
    });
  });
}

/** A worker child started by startWorker, waiting for `go`. */
export interface Worker<T> {
  child: ChildProcess;
  /** Tells it to start (`go` on its stdin). */
  go(): void;
  /** Its one JSON report line; rejects when it exits without one or with a code other than 0. */
  result: Promise<T>;
}

/**
 * Starts `node dist/bench/<script>.js JOB` with `job` written to `work/<name>.json`; resolves once
 * it printed `ready`. Workers speak a small protocol: they prepare, print `ready`, wait for `go` on
 * stdin, print one JSON line and exit.
 */
export function startWorker<T>(root: string, work: string, script: string, name: string, job: unknown): Promise<Worker<T>> {
  const jobFile = join(work, `${name}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const child = spawn(process.execPath, [join(root, 'dist', 'bench', `${script}.js`), jobFile], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  workers.add(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(`[${name}] ${d}`);
  });
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolveReady, rejectReady) => {
    let ready = false;
    const result = new Promise<T>((resolve, reject) => {
      let report: T | undefined;
      lines.on('line', (line) => {
        if (line === 'ready') {
          ready = true;
          resolveReady({ child, go: () => child.stdin.end('go\n'), result });
        } else if (line.startsWith('{')) report = JSON.parse(line) as T;
      });
      child.once('error', (e) => (ready ? reject(e) : rejectReady(e)));
      // 'close', not 'exit': the report line may still be in the pipe when the process has exited.
      child.once('close', (code, signal) => {
        running.delete(child);
        workers.delete(child);
        const e = new Error(`${name} exited (code ${code}, signal ${signal}) without a report${stderr ? `: ${stderr.trim().slice(-2000)}` : ''}`);
        if (!ready) return rejectReady(e);
        if (report !== undefined && code === 0) resolve(report);
        else reject(e);
      });
    });
    result.catch(() => undefined); // observed by the caller once ready
  });
}

/** Kills the worker children still running. */
export function killWorkers(): void {
  for (const child of workers) child.kill('SIGKILL');
}

/** What we keep from one autocannon run. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Mean latency; the percentiles come from autocannon's whole-millisecond histogram. */
  meanMs: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** CPUs (a taskset list, such as `1`) the load generator is kept on. */
  cpuList?: string;
}

/** Runs the autocannon CLI (`-j`) in its own node process, so it does not share a core with us. */
export function runAutocannon(root: string, o: LoadOptions): Promise<LoadResult> {
  const args = [join(root, 'node_modules', 'autocannon', 'autocannon.js'), '-j', '-n', '-c', String(o.connections), '-d', String(o.durationSeconds)];
  // autocannon splits `-H` at the first ':' or '=', so name:value keeps '=' in values intact.
  for (const [name, value] of Object.entries(o.headers)) args.push('-H', `${name}:${value}`);
  args.push(o.url);
  const child = spawnNode(args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }, o.cpuList);
  running.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      running.delete(child);
      if (code !== 0) return reject(new Error(`autocannon exited with code ${code}: ${err.trim()}`));
      try {
        const r = JSON.parse(out) as AutocannonJson;
        resolve({
          requestsPerSecond: round(r.requests.average),
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          meanMs: round(r.latency.average, 3),
          requests: r.requests.total,
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
        });
      } catch (e) {
        reject(new Error(`cannot read autocannon's JSON (${(e as Error).message}): ${out.slice(0, 200)} ${err.trim()}`));
      }
    });
  });
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Resident and peak resident memory (VmRSS, VmHWM) of a running process, in MB, from /proc (Linux). */
export function procMemory(pid: number): { rssMB: number; peakRssMB: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssMB: round(kb('VmRSS') / 1024, 1), peakRssMB: round(kb('VmHWM') / 1024, 1) };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of a running process so far, from /proc (clock ticks of 1/100 s); NaN where there is none. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

/** A whole number from the environment: `fallback` when unset or empty, an error naming the variable when out of range. */
export function envInt(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, not '${text}'`);
  }
  return n;
}

/** An on/off switch from the environment: on for 1, true, yes or on (any case). */
export function envFlag(name: string): boolean {
  return /^(1|true|yes|on)$/i.test(process.env[name] ?? '');
}
