// Runs AWS CLI command lines without paying the CLI's start-up (about a second of Python imports) each time:
// through the CLI's own script, run as `python <script>` would run it, in one long-lived Python process per
// CLI (test/wire/py/cli_runner.py), one command at a time. `runCli(cmd, args, opts)` takes what `run` from
// test/harness.ts takes and resolves with what it resolves with: { code, stdout, stderr }.
//
// Each command sees exactly the environment `run` would give its process ({ ...process.env, ...opts.env },
// unset where undefined), this process's cwd, its own stdin (opts.input, else empty), stdout and stderr
// (Unix sockets at fd 0, 1 and 2, as node's spawn gives), and a new CLI driver and session; the Python
// process puts everything back after it. The interpreter is the one in the script's shebang (for pyenv's
// `aws` shim, that of the script `pyenv which aws` names). ./cli-runner.test.ts runs a sample both as the
// CLI's own process and through this, and requires the same exit code, stdout and stderr.
//
// The Python process starts on first use, with that first command's environment (commands differing in
// what is read at start-up, see STARTUP, get another one), and ends with stopCliRunners() or this process.
// A command taking longer than opts.timeoutMs (60 s by default, as `run`) kills it and resolves with code
// null, as `run` does; the next command starts a new one. If the Python process dies by itself, the
// commands waiting for it are rejected with its stderr.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { ROOT } from '../harness.js';

export type CliResult = { code: number | null; stdout: string; stderr: string };
export type CliOptions = { env?: Record<string, string>; input?: string; timeoutMs?: number };

const DRIVER = join(ROOT, 'test/wire/py/cli_runner.py');

/**
 * Variables read once, when the process starts or imports the CLI: Python's (stdio encoding, flags) and
 * HOME (awscli binds paths under ~ at import, e.g. the alias file ~/.aws/cli/alias). Commands that differ
 * in them get a Python process of their own, started with their environment.
 */
const STARTUP = /^(PYTHON\w*|LANG|LC_\w+|HOME)$/;

interface Job {
  args: string[];
  env: Record<string, string>;
  input: string;
  timeoutMs: number;
  resolve: (r: CliResult) => void;
  reject: (e: Error) => void;
}

/** The interpreter (shebang, split as words) and script that `cmd` runs, found on `path` as spawn finds it. */
export function resolveCli(cmd: string, path = process.env.PATH ?? ''): { python: string[]; script: string } {
  let file = cmd;
  if (!cmd.includes('/')) {
    const found = path.split(delimiter).map((d) => join(d || '.', cmd)).find((f) => {
      try {
        accessSync(f, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    if (!found) throw new Error(`${cmd} is not on PATH`);
    file = found;
  }
  const text = readFileSync(file, 'utf8');
  const shebang = /^#!(.*)/.exec(text)?.[1].trim().split(/\s+/);
  if (shebang && /python[\d.]*$/.test(shebang[shebang.length - 1])) return { python: shebang, script: file };
  // A pyenv shim (bash: exec "<pyenv>" exec "$program" "$@"): the script is the one pyenv would exec.
  const pyenv = /exec "([^"]*\/pyenv)" exec /.exec(text)?.[1];
  if (pyenv) {
    const root = /export PYENV_ROOT="([^"]*)"/.exec(text)?.[1];
    const which = spawnSync(pyenv, ['which', cmd.slice(cmd.lastIndexOf('/') + 1)], { encoding: 'utf8', env: { ...process.env, ...(root ? { PYENV_ROOT: root } : {}) } });
    if (which.status !== 0) throw new Error(`pyenv which ${cmd}: ${which.stderr}`);
    return resolveCli(which.stdout.trim(), path);
  }
  throw new Error(`${file} is neither a Python script nor a pyenv shim`);
}

class PythonCli {
  private proc?: ChildProcess;
  private dir?: string;
  private queue: Job[] = [];
  private current?: { job: Job; timer: NodeJS.Timeout };
  private stderr = '';

  constructor(
    readonly python: string[],
    readonly script: string,
  ) {}

  run(args: string[], env: Record<string, string>, input: string, timeoutMs: number): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ args, env, input, timeoutMs, resolve, reject });
      this.next();
    });
  }

  /** Kills the Python process; commands still waiting are rejected. */
  stop(): void {
    const pending = [...(this.current ? [this.current.job] : []), ...this.queue];
    this.queue = [];
    this.end();
    for (const j of pending) j.reject(new Error(`${this.script}: the CLI runner was stopped`));
  }

  private next(): void {
    if (this.current || this.queue.length === 0) {
      this.hold(!!this.current);
      return;
    }
    const job = this.queue.shift()!;
    const proc = this.proc ?? this.start(job.env);
    const timer = setTimeout(() => {
      if (this.current?.job !== job) return;
      const stderr = this.commandStderr();
      this.current = undefined;
      this.end();
      const note = `[cli-runner] ${this.script} ${job.args.join(' ')}: no answer within ${job.timeoutMs} ms; killed\n`;
      job.resolve({ code: null, stdout: '', stderr: stderr && !stderr.endsWith('\n') ? `${stderr}\n${note}` : stderr + note });
      this.next();
    }, job.timeoutMs);
    this.current = { job, timer };
    this.hold(true);
    (proc.stdio[3] as Writable).write(`${JSON.stringify({ args: job.args, env: job.env, cwd: process.cwd(), input: Buffer.from(job.input).toString('base64') })}\n`);
  }

  private start(env: Record<string, string>): ChildProcess {
    const dir = mkdtempSync(join(tmpdir(), 'warden-cli-runner-'));
    const [exe, ...flags] = this.python;
    const proc = spawn(exe, [...flags, DRIVER, this.script, dir], { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    this.dir = dir;
    this.stderr = '';
    live.add(this);
    const keep = (s: string) => (this.stderr = (this.stderr + s).slice(-65536));
    proc.stdout!.on('data', (d) => keep(String(d)));
    proc.stderr!.on('data', (d) => keep(String(d)));
    (proc.stdio[3] as Writable).on('error', () => {}); // EPIPE once it is gone: 'exit' reports that
    createInterface({ input: proc.stdio[4] as Readable }).on('line', (line) => this.answer(proc, line));
    proc.on('error', (e) => this.died(proc, e.message));
    proc.on('exit', (code, signal) => this.died(proc, `exited with ${signal ?? code}`));
    return proc;
  }

  private answer(proc: ChildProcess, line: string): void {
    if (proc !== this.proc || !this.current) return;
    let r: { code: number; stdout: string; stderr: string };
    try {
      r = JSON.parse(line);
    } catch {
      this.died(proc, `answered what is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    const { job, timer } = this.current;
    clearTimeout(timer);
    this.current = undefined;
    job.resolve({ code: r.code, stdout: Buffer.from(r.stdout, 'base64').toString(), stderr: Buffer.from(r.stderr, 'base64').toString() });
    this.next();
  }

  /** The Python process ended without being asked to: every command waiting for it fails with what it printed. */
  private died(proc: ChildProcess, how: string): void {
    if (proc !== this.proc) return;
    const message = `${this.python.join(' ')} running ${this.script} (the CLI runner) ${how}:\n${this.stderr}${this.commandStderr()}`;
    const pending = [...(this.current ? [this.current.job] : []), ...this.queue];
    if (this.current) clearTimeout(this.current.timer);
    this.current = undefined;
    this.queue = [];
    this.end();
    for (const j of pending) j.reject(new Error(message));
  }

  /** What the command in progress wrote to stderr so far (a file of the scratch folder). */
  private commandStderr(): string {
    try {
      return this.dir ? readFileSync(join(this.dir, 'stderr'), 'utf8') : '';
    } catch {
      return '';
    }
  }

  /** Kills the Python process (if still there) and removes its scratch folder. */
  private end(): void {
    const proc = this.proc;
    this.proc = undefined;
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    live.delete(this);
  }

  /** Keeps this process alive only while a command is in progress, so an idle runner never holds up the exit. */
  private hold(busy: boolean): void {
    const p = this.proc;
    if (!p) return;
    for (const h of [p, ...p.stdio.slice(1)] as ({ ref?: () => void; unref?: () => void } | null)[]) {
      if (busy) h?.ref?.();
      else h?.unref?.();
    }
  }
}

const runners = new Map<string, PythonCli>();
const resolved = new Map<string, { python: string[]; script: string }>();
const live = new Set<PythonCli>();
process.on('exit', () => {
  for (const r of [...live]) r.stop();
});

/** The environment `run(cmd, args, { env: extra })` gives its process: this one's, with `extra` over it, undefined values unset. */
export function processEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...extra })) if (v !== undefined) env[k] = v;
  return env;
}

/** Runs `cmd args` (an AWS CLI: `aws`, `/usr/bin/aws`) through its entry point in a long-lived Python process; resolves as `run(cmd, args, opts)` does. */
export function runCli(cmd: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const env = processEnv(opts.env);
  const where = `${cmd}\0${env.PATH ?? ''}`;
  let cli = resolved.get(where);
  if (!cli) resolved.set(where, (cli = resolveCli(cmd, env.PATH)));
  const startup = Object.keys(env).filter((k) => STARTUP.test(k)).sort().map((k) => `${k}=${env[k]}`);
  const key = JSON.stringify([cli.python, cli.script, startup]);
  let runner = runners.get(key);
  if (!runner) runners.set(key, (runner = new PythonCli(cli.python, cli.script)));
  return runner.run(args, env, opts.input ?? '', opts.timeoutMs ?? 60_000);
}

/** Stops every CLI runner's Python process (the next command starts a new one). */
export function stopCliRunners(): void {
  for (const r of runners.values()) r.stop();
  runners.clear();
}
