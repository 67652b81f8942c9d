// Parity for billing groups: the same command lines through Debian's AWS CLI v2 (/usr/bin/aws) and
// through `warden iot`, against one server; stdout and exit codes must be identical (generated ids and
// dates replaced where two creations differ). Built as test/cli/parity.test.ts is: the AWS CLI through
// test/wire/cli-runner.ts, `warden iot` in this process through iotMain.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { iotMain } from '../../src/cli/iot/index.js';
import { reset, ROOT, run, startServer, type Running } from '../harness.js';
import { processEnv, runCli, stopCliRunners, type CliResult } from '../wire/cli-runner.js';
import { clientEnv } from '../wire/env.js';

let server: Running;

/** `warden iot <args>` in this process, as bin/warden.js runs it (a process when stdout is a terminal). */
async function wardenIot(args: string[]): Promise<CliResult> {
  if (process.stdout.isTTY) return run(process.execPath, [join(ROOT, 'bin/warden.js'), 'iot', ...args], { env: clientEnv(), timeoutMs: 60_000 });
  let stdout = '';
  let stderr = '';
  const code = await iotMain(args, { out: (s) => (stdout += s), err: (s) => (stderr += s), env: processEnv(clientEnv()) });
  return { code, stdout, stderr };
}

const cli = (which: 'aws' | 'warden', args: string[]): Promise<CliResult> =>
  which === 'aws' ? runCli('/usr/bin/aws', ['--endpoint-url', server.url, 'iot', ...args], { env: clientEnv(), timeoutMs: 60_000 }) : wardenIot(['--endpoint-url', server.url, ...args]);

/** Runs both (concurrently: only for commands that change nothing); identical stdout and exit code. */
async function same(args: string[], expectCode = 0): Promise<CliResult> {
  const [a, w] = await Promise.all([cli('aws', args), cli('warden', args)]);
  assert.equal(w.code, a.code, `exit codes differ for ${args.join(' ')}\naws stderr: ${a.stderr}\nwarden stderr: ${w.stderr}`);
  assert.equal(w.stdout, a.stdout, `stdout differs for ${args.join(' ')}`);
  assert.equal(a.code, expectCode, `aws exited ${a.code}: ${a.stderr}`);
  return w;
}

const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const STAMPS = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d/g;
const normalise = (s: string, name: string) => s.replaceAll(name, 'NAME').replace(UUIDS, 'UUID').replace(STAMPS, 'TIME');

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

const describeGroup = (n: string) => ['describe-billing-group', '--billing-group-name', n];

before(async () => {
  server = await startServer({ backend: 'sqlite' });
  await reset(server.url);
});

after(async () => {
  stopCliRunners();
  await server?.cleanup();
});

describe('billing groups: warden iot and aws iot print the same', () => {
  test('create (shorthand properties with a comma, --tags) and describe', async () => {
    await createBoth('bg', (n) => ['create-billing-group', '--billing-group-name', n, '--billing-group-properties', 'billingGroupDescription="floor 7, east"', '--tags', 'Key=cc,Value=7'], describeGroup);
    await createBoth('bg-json', (n) => ['create-billing-group', '--billing-group-name', n, '--billing-group-properties', '{"billingGroupDescription":"json"}'], describeGroup);
    await createBoth('bg-bare', (n) => ['create-billing-group', '--billing-group-name', n], describeGroup);
    await same(['list-tags-for-resource', '--resource-arn', 'arn:aws:iot:us-east-1:000000000000:billinggroup/bg-aws']);
  });

  test('list with every output, a prefix, pages and --max-items', async () => {
    for (const output of ['json', 'text', 'table', 'yaml']) await same(['list-billing-groups', '--output', output]);
    await same(['list-billing-groups', '--name-prefix-filter', 'bg-j']);
    await same(['list-billing-groups', '--page-size', '1', '--query', 'billingGroups[].groupName', '--output', 'text']);
    await same(['list-billing-groups', '--max-items', '2']);
    await same(['describe-billing-group', '--billing-group-name', 'bg-aws', '--query', '{v: version, d: billingGroupProperties.billingGroupDescription}', '--output', 'table']);
  });

  test('update, things in a group, errors', async () => {
    await bothOn('bg', (n) => ['update-billing-group', '--billing-group-name', n, '--billing-group-properties', 'billingGroupDescription=renamed', '--expected-version', '1']);
    await createBoth('bthing', (n) => ['create-thing', '--thing-name', n, '--billing-group-name', 'bg-aws'], (n) => ['describe-thing', '--thing-name', n]);
    await bothOn('bthing', (n) => ['add-thing-to-billing-group', '--thing-name', n, '--billing-group-name', 'bg-json-aws']);
    for (const output of ['json', 'text', 'table']) {
      const r = await same(['list-things-in-billing-group', '--billing-group-name', 'bg-json-aws', '--output', output]);
      assert.match(r.stdout, /bthing-aws/);
    }
    const missing = await same(['describe-billing-group', '--billing-group-name', 'no-such-group'], 254);
    assert.match(missing.stderr, /An error occurred \(ResourceNotFoundException\) when calling the DescribeBillingGroup operation: /);
    await same(['update-billing-group', '--billing-group-name', 'bg-aws', '--billing-group-properties', 'billingGroupDescription=x', '--expected-version', '1'], 254);
    await same(['create-billing-group', '--billing-group-name', 'no spaces'], 254);
    await same(['update-billing-group', '--billing-group-name', 'bg-aws'], 252);
  });
});
