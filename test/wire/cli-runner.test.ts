// The CLI runner (./cli-runner.ts) against the CLIs' own processes. The wire tests that drive both AWS CLIs
// (awscli, policies, things, certificates, audit-mitigation, test/operations/findings-wire) and
// test/cli/parity.test.ts run their commands through it, in one Python process per CLI. Here a sample
// runs both ways, as the CLI's own process (`run` from test/harness.ts) and through the runner, and must
// give the same exit code, stdout and stderr, byte for byte: JSON and table output, a service error, a
// usage error, the environment of each command (none of it kept for the next), a path relative to the
// cwd, stdin, and output written by a child process (a shell alias of ~/.aws/cli/alias). Then what the
// runner does when a command hangs or when its Python process dies.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { raw, ROLE, run, startServer, type Running } from '../harness.js';
import { runCli, stopCliRunners } from './cli-runner.js';
import { clientEnv } from './env.js';

const CLIS = [
  { name: 'AWS CLI v1 (pyenv aws)', cmd: 'aws', errorExit: 255 },
  { name: 'AWS CLI v2 (Debian /usr/bin/aws)', cmd: '/usr/bin/aws', errorExit: 254 },
];

let server: Running;
let dir: string;
/** A HOME whose ~/.aws/cli/alias has shell aliases (both CLIs run them with /bin/sh). */
let home: string;
/** Accepts connections and never answers. */
let silent: Server;
let silentUrl: string;

before(async () => {
  server = await startServer({ backend: 'sqlite' });
  for (const [name, region, params] of [
    ['sample-1', 'us-east-1', { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'], overrideDynamicGroups: true } }],
    ['sample-2', 'us-east-1', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } }],
    ['sample-eu', 'eu-west-1', { updateCACertificateParams: { action: 'DEACTIVATE' } }],
  ] as const) {
    const r = await raw(server.url, { method: 'POST', path: `/mitigationactions/actions/${name}`, region, body: JSON.stringify({ roleArn: ROLE, actionParams: params }) });
    assert.equal(r.status, 200, r.text);
  }
  dir = mkdtempSync(join(tmpdir(), 'warden-cli-runner-test-'));
  writeFileSync(join(dir, 'input.json'), JSON.stringify({ actionName: 'sample-2' }));
  home = join(dir, 'home');
  mkdirSync(join(home, '.aws/cli'), { recursive: true });
  writeFileSync(
    join(home, '.aws/cli/alias'),
    ['[toplevel]', 'child = !f() { echo "a child process says $1"; echo "and writes to stderr" >&2; }; f', 'crash = !kill -9 $PPID', ''].join('\n'),
  );
  silent = createServer(() => {}).listen(0, '127.0.0.1');
  await new Promise((r) => silent.once('listening', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});

after(async () => {
  stopCliRunners();
  silent?.close();
  await server?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Both CLIs at once (nothing here changes the server's state); each CLI's tests in order.
describe('both AWS CLIs side by side', { concurrency: true }, () => {
  for (const cli of CLIS) {
    describe(cli.name, { concurrency: 1 }, () => {
      test('a sample gives the same exit code, stdout and stderr as the CLI\'s own process', async () => {
        const at = ['--endpoint-url', server.url];
        const env = clientEnv();
        const sample: { args: string[]; env?: Record<string, string>; input?: string }[] = [
          // The environment is each command's own, none of it kept: another region, none at all, the usual.
          { args: [...at, 'iot', 'list-mitigation-actions'], env: { ...env, AWS_DEFAULT_REGION: 'eu-west-1' } },
          { args: [...at, 'iot', 'list-mitigation-actions'], env: { ...env, AWS_DEFAULT_REGION: undefined as unknown as string } },
          { args: [...at, 'iot', 'describe-mitigation-action', '--action-name', 'sample-1'] },
          { args: [...at, 'iot', 'describe-mitigation-action', '--action-name', 'sample-none'] },
          { args: [...at, 'iot', 'create-mitigation-action', '--action-name', 'x', '--role-arn', ROLE, '--action-params', '{"a":'] },
          // A file:// path relative to the cwd; a table as wide as with no terminal.
          { args: [...at, '--output', 'table', 'iot', 'describe-mitigation-action', '--cli-input-json', `file://${relative(process.cwd(), join(dir, 'input.json'))}`] },
          // Standard input is a Unix socket for both (node's spawn): /dev/stdin cannot be opened on it.
          { args: [...at, 'iot', 'describe-mitigation-action', '--cli-input-json', 'file:///dev/stdin'], input: JSON.stringify({ actionName: 'sample-1' }) },
          // A child process writing to the command's stdout and stderr (another HOME: a Python process of its own).
          { args: ['child', 'hello'], env: { ...env, HOME: home } },
        ];
        const opts = (c: (typeof sample)[number]) => ({ env: c.env ?? env, input: c.input, timeoutMs: 60_000 });
        // The CLI's own processes 3 at a time while the runner works through the same commands.
        const real: Awaited<ReturnType<typeof run>>[] = new Array(sample.length);
        let next = 0;
        const worker = async () => {
          while (next < sample.length) {
            const i = next++;
            real[i] = await run(cli.cmd, sample[i].args, opts(sample[i]));
          }
        };
        const [, mine] = await Promise.all([Promise.all([0, 1, 2].map(worker)), Promise.all(sample.map((c) => runCli(cli.cmd, c.args, opts(c))))]);
        for (const [i, c] of sample.entries()) assert.deepEqual(mine[i], real[i], `${cli.cmd} ${c.args.join(' ')}`);

        // And the sample shows what it is meant to.
        const codes = real.map((r) => r.code);
        assert.match(real[0].stdout, /sample-eu/);
        assert.doesNotMatch(real[0].stdout, /sample-1/);
        assert.notEqual(codes[1], 0);
        assert.match(real[1].stderr, /region/i);
        assert.deepEqual(codes.slice(2, 4), [0, cli.errorExit]);
        assert.match(real[2].stdout, /"actionName": "sample-1"/);
        assert.match(real[3].stderr, /ResourceNotFoundException/);
        assert.notEqual(codes[4], 0);
        assert.match(real[4].stderr, /--action-params/);
        assert.match(real[5].stdout, /^\|\s+DescribeMitigationAction\s+\|$/m);
        assert.match(real[5].stdout, /\|\s+actionName\s+\|\s+sample-2\s+\|/);
        assert.match(real[6].stderr, /\/dev\/stdin/);
        assert.deepEqual([real[7].code, real[7].stdout, real[7].stderr], [0, 'a child process says hello\n', 'and writes to stderr\n']);
      });

      test('a command that hangs past its timeout ends with code null, as `run` ends it; the next one runs', async () => {
        const hung = await runCli(cli.cmd, ['--endpoint-url', silentUrl, '--cli-read-timeout', '60', 'iot', 'list-things'], { env: clientEnv(), timeoutMs: 1500 });
        assert.equal(hung.code, null);
        assert.equal(hung.stdout, '');
        assert.match(hung.stderr, /no answer within 1500 ms/);
        const r = await runCli(cli.cmd, ['--endpoint-url', server.url, '--output', 'text', 'iot', 'list-mitigation-actions', '--query', 'actionIdentifiers[].actionName'], { env: clientEnv() });
        assert.deepEqual(r, { code: 0, stdout: 'sample-1\tsample-2\n', stderr: '' });
      });

      test('when its Python process dies, the commands waiting for it fail with what it printed; the next one runs', async () => {
        const env = { ...clientEnv(), HOME: home };
        // The alias kills its parent: the CLI's Python (as its own process, `run` gives code null).
        const crashed = runCli(cli.cmd, ['crash'], { env });
        const queued = runCli(cli.cmd, ['--version'], { env });
        await assert.rejects(crashed, /exited with SIGKILL/);
        await assert.rejects(queued, /exited with SIGKILL/);
        const r = await runCli(cli.cmd, ['child', 'again'], { env });
        assert.deepEqual(r, { code: 0, stdout: 'a child process says again\n', stderr: 'and writes to stderr\n' });
      });
    });
  }
});
