// What the parity tests share: `warden iot` run as bin/warden.js runs it, the same command line through
// Debian's AWS CLI v2 (/usr/bin/aws, through test/wire/cli-runner.ts), and the comparisons of the two.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { iotMain } from '../../src/cli/iot/index.js';
import { ROOT, run } from '../harness.js';
import { processEnv, runCli, type CliResult } from '../wire/cli-runner.js';
import { clientEnv } from '../wire/env.js';

/** `node bin/warden.js iot <args>` as a process. */
export const wardenProcess = (args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> =>
  run(process.execPath, [join(ROOT, 'bin/warden.js'), 'iot', ...args], { env: { ...clientEnv(), ...extraEnv }, timeoutMs });

/** `warden iot <args>` in this process, as bin/warden.js runs it: what it prints and returns (code null after timeoutMs, as `run`). */
export async function wardenIot(args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  // On a terminal, bin/warden.js's stdout would be a pipe but this process's a TTY (colour, table width).
  if (process.stdout.isTTY) return wardenProcess(args, extraEnv, timeoutMs);
  let stdout = '';
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  const code = await Promise.race([iotMain(args, { out: (s) => (stdout += s), err: (s) => (stderr += s), env: processEnv({ ...clientEnv(), ...extraEnv }) }), timedOut]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const STAMPS = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d/g;
/** Output with a resource's own name, generated UUIDs and dates replaced (two creations never share them). */
export const normalise = (s: string, name: string) => s.replaceAll(name, 'NAME').replace(UUIDS, 'UUID').replace(STAMPS, 'TIME');

/** The two CLIs against one server (its URL read when a command runs). */
export function parityClis(url: () => string) {
  const cli = (which: 'aws' | 'warden', args: string[]): Promise<CliResult> =>
    which === 'aws' ? runCli('/usr/bin/aws', ['--endpoint-url', url(), 'iot', ...args], { env: clientEnv(), timeoutMs: 60_000 }) : wardenIot(['--endpoint-url', url(), ...args]);

  /** Runs both (concurrently: only for commands that change nothing) and requires identical stdout and exit code. */
  async function same(args: string[], expectCode = 0): Promise<CliResult> {
    const [a, w] = await Promise.all([cli('aws', args), cli('warden', args)]);
    assert.equal(w.code, a.code, `exit codes differ for ${args.join(' ')}\naws stderr: ${a.stderr}\nwarden stderr: ${w.stderr}`);
    assert.equal(w.stdout, a.stdout, `stdout differs for ${args.join(' ')}`);
    assert.equal(a.code, expectCode, `aws exited ${a.code}: ${a.stderr}`);
    return w;
  }

  /** A command that changes state, once through each CLI on its own resource (`<base>-aws`, `<base>-warden`): the same output but for names, ids and dates. */
  async function bothOn(base: string, args: (name: string) => string[]): Promise<void> {
    const a = await cli('aws', args(`${base}-aws`));
    const w = await cli('warden', args(`${base}-warden`));
    assert.equal(w.code, a.code, `exit codes: aws ${a.stderr} / warden ${w.stderr}`);
    assert.equal(normalise(w.stdout, `${base}-warden`), normalise(a.stdout, `${base}-aws`));
    assert.equal(a.code, 0, a.stderr);
  }

  /** bothOn, then the describe of each: the two stored the same thing. */
  async function createBoth(base: string, args: (name: string) => string[], describeArgs: (name: string) => string[]): Promise<void> {
    await bothOn(base, args);
    const da = await cli('aws', describeArgs(`${base}-aws`));
    const dw = await same(describeArgs(`${base}-warden`));
    assert.equal(normalise(dw.stdout, `${base}-warden`), normalise(da.stdout, `${base}-aws`), 'the two creations stored different things');
  }

  return { cli, same, bothOn, createBoth };
}
