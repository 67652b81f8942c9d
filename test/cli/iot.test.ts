// `warden iot` pieces the parity suite cannot compare with the AWS CLI: help, YAML input, profiles, the
// shorthand parser on its own, and the progress view's rendering.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolve } from '../../src/cli/iot/config.js';
import { iotMain } from '../../src/cli/iot/index.js';
import { xformName } from '../../src/cli/iot/model.js';
import { parseShorthand } from '../../src/cli/iot/shorthand.js';
import { renderProgress } from '../../src/cli/iot/wait.js';
import { reset, ROLE, startServer, type Running } from '../harness.js';

let server: Running;
let dir: string;
const ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };

async function call(argv: string[], env: NodeJS.ProcessEnv = ENV) {
  let out = '';
  let err = '';
  const code = await iotMain(['--endpoint-url', server.url, ...argv], { out: (s) => (out += s), err: (s) => (err += s), env });
  return { code, out, err };
}

before(async () => {
  server = await startServer({ backend: 'sqlite' });
  await reset(server.url);
  dir = mkdtempSync(join(tmpdir(), 'warden-iot-cli-'));
});
after(async () => {
  await server?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('names and shorthand', () => {
  test('command and option names follow botocore xform_name', () => {
    assert.equal(xformName('CreateMitigationAction'), 'create-mitigation-action');
    assert.equal(xformName('ListCACertificates'), 'list-ca-certificates');
    assert.equal(xformName('GetV2LoggingOptions'), 'get-v2-logging-options');
    assert.equal(xformName('auditCheckToActionsMapping'), 'audit-check-to-actions-mapping');
  });
  test('shorthand: csv lists, explicit lists, hashes, quotes, escaped commas', () => {
    assert.deepEqual(parseShorthand('auditTaskId=t1,findingIds=a,b,auditCheckToReasonCodeFilter={K1=[x,y]}'), { auditTaskId: 't1', findingIds: ['a', 'b'], auditCheckToReasonCodeFilter: { K1: ['x', 'y'] } });
    assert.deepEqual(parseShorthand(`K1=s1,s2,K2="a,b",K3='it\\'s',K4=x\\,y`), { K1: ['s1', 's2'], K2: 'a,b', K3: "it's", K4: 'x,y' });
    assert.throws(() => parseShorthand('a=b,a=c'), /Second instance of key "a"/);
  });
});

describe('commands', () => {
  test('help shows the synopsis and every option with its type and constraints', async () => {
    const r = await call(['create-mitigation-action', 'help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /--action-name \(string\) \[required\]\n\s+Constraints: max 128 characters; pattern/);
    assert.match(r.out, /--tags <value \[value \.\.\.\]>/);
    assert.match(r.out, /--cli-read-timeout/);
  });
  test('--cli-input-yaml, overridden by an option; --generate-cli-skeleton yaml-input', async () => {
    const f = join(dir, 'in.yaml');
    writeFileSync(f, `actionName: yaml-action\nroleArn: arn:aws:iam::000000000000:role/other\nactionParams:\n  updateDeviceCertificateParams:\n    action: DEACTIVATE\n`);
    assert.equal((await call(['create-mitigation-action', '--cli-input-yaml', `file://${f}`, '--role-arn', ROLE])).code, 0);
    const d = await call(['describe-mitigation-action', '--action-name', 'yaml-action', '--query', 'roleArn', '--output', 'text']);
    assert.equal(d.out, `${ROLE}\n`);
    const sk = await call(['create-mitigation-action', '--generate-cli-skeleton', 'yaml-input']);
    assert.match(sk.out, /^actionName: '' {2}# \[REQUIRED\] A friendly name for the action\.$/m);
  });
  test('profiles from the config and credentials files; --profile wins over the environment', () => {
    writeFileSync(join(dir, 'config'), '[default]\nregion = eu-west-1\n[profile other]\nregion = ap-south-1\noutput = yaml\n');
    writeFileSync(join(dir, 'credentials'), '[default]\naws_access_key_id = d\naws_secret_access_key = ds\n[other]\naws_access_key_id = o\naws_secret_access_key = os\n');
    const env = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_ACCESS_KEY_ID: 'e', AWS_SECRET_ACCESS_KEY: 'es' };
    const d = resolve({}, env);
    assert.deepEqual([d.region, d.credentials.accessKeyId], ['eu-west-1', 'e']);
    const o = resolve({ profile: 'other' }, env);
    assert.deepEqual([o.region, o.output, o.credentials.accessKeyId], ['ap-south-1', 'yaml', 'o']);
    const none = resolve({}, { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
    assert.deepEqual([none.region, none.credentials, none.endpoint], ['us-east-1', { accessKeyId: 'test', secretAccessKey: 'test' }, 'http://127.0.0.1:4580']);
  });
  test('an unknown profile exits 253; an unknown command 252; --version 0', async () => {
    assert.equal((await call(['--profile', 'nope', 'list-mitigation-actions'])).code, 253);
    assert.equal((await call(['no-such-command'])).code, 252);
    assert.match((await call(['--version'])).out, /^warden\/\d/);
  });
  test('wait: the progress view of a finished task', () => {
    const lines = renderProgress({ status: 'COMPLETED', rows: [{ name: 'DEVICE_CERTIFICATE_EXPIRING_CHECK', total: 4, succeeded: 3, failed: 1, skipped: 0, canceled: 0 }] }, 2000);
    assert.match(lines[1], /\[#{30}\] 4\/4 succeeded 3 failed 1 skipped 0 canceled 0/);
    assert.equal(lines[2], '4/4 done, 2.0/s, ETA 0s');
  });
});
