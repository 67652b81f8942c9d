// `--generate-cli-skeleton yaml-input` parity with Debian's AWS CLI v2 (/usr/bin/aws), for every operation
// of the model. Starting the AWS CLI 272 times costs minutes, so most commands go through its own entry
// point (awscli.clidriver.AWSCLIEntryPoint, what /usr/bin/aws calls) in one Python process, a fresh driver
// per command, and through `iotMain` (what bin/warden.js calls) in this one. A sample runs both as real
// processes to show that shortcut changes nothing.
//
// Debian's CLI (2.9.19) bundles an older IoT model than ours: 34 of our operations do not exist there and
// 18 have inputs that changed since. So the same CLI is also run with AWS_DATA_PATH pointing at our model
// (with model/iot-docs.json put back into it): then every one of the 272 skeletons must be identical.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { docOverview } from '../../src/cli/iot/doc-overview.js';
import { skeleton } from '../../src/cli/iot/help.js';
import { iotMain } from '../../src/cli/iot/index.js';
import { commandTable } from '../../src/cli/iot/model.js';
import { ROOT, run } from '../harness.js';
import { clientEnv } from '../wire/env.js';

type Result = { code: number | null; stdout: string };

/** Operations whose input in our model differs from the one bundled with aws-cli 2.9.19 (new members or enum values). */
const CHANGED_SINCE = [
  'attach-thing-principal', 'create-domain-configuration', 'create-job', 'create-job-template', 'create-security-profile',
  'create-thing-type', 'create-topic-rule', 'describe-job', 'get-job-document', 'get-v2-logging-options', 'list-ota-updates',
  'replace-topic-rule', 'set-v2-logging-options', 'update-account-audit-configuration', 'update-domain-configuration',
  'update-indexing-configuration', 'update-security-profile', 'validate-security-profile-behaviors',
];
/** How many of our operations aws-cli 2.9.19 does not have (certificate providers, commands, packages, ...). */
const ABSENT_THERE = 34;

/** Runs each command line through the AWS CLI's entry point in this Python process; prints {name: {code, stdout, stderr}}. */
const DRIVER = `
import io, json, sys
from awscli.clidriver import AWSCLIEntryPoint
names = json.load(sys.stdin)
real_out, real_err = sys.stdout, sys.stderr
results = {}
for name in names:
    out, err = io.StringIO(), io.StringIO()
    sys.stdout, sys.stderr = out, err
    try:
        code = AWSCLIEntryPoint().main(['iot', name, '--generate-cli-skeleton', 'yaml-input'])
    except SystemExit as e:
        code = e.code
    finally:
        sys.stdout, sys.stderr = real_out, real_err
    results[name] = {'code': code, 'stdout': out.getvalue(), 'stderr': err.getvalue()}
json.dump(results, real_out)
`;

type Batch = Record<string, Result & { stderr: string }>;

async function awsBatch(names: string[], env: Record<string, string> = {}): Promise<Batch> {
  const r = await run('/usr/bin/python3', ['-c', DRIVER], { env: { ...clientEnv(), ...env }, input: JSON.stringify(names), timeoutMs: 110_000 });
  assert.equal(r.code, 0, `the AWS CLI driver failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Batch;
}

async function warden(name: string): Promise<Result> {
  let stdout = '';
  const code = await iotMain([name, '--generate-cli-skeleton', 'yaml-input'], { out: (s) => (stdout += s), err: () => {}, env: clientEnv() });
  return { code, stdout };
}

/** Runs `f` over `items`, at most `limit` at a time. */
async function bounded<T, R>(items: T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const names = [...commandTable().keys()].sort();
let dataDir: string;
let stock: Promise<Batch>;
let ours: Promise<Batch>;
const wardenOut = new Map<string, Result>();

before(async () => {
  // Our model with the documentation overlay put back where botocore reads it (member references).
  dataDir = mkdtempSync(join(tmpdir(), 'warden-skeleton-'));
  const model = JSON.parse(readFileSync(join(ROOT, 'model/iot-2015-05-28.json'), 'utf8')) as { shapes: Record<string, { members?: Record<string, Record<string, unknown>> }> };
  const docs = (JSON.parse(readFileSync(join(ROOT, 'model/iot-docs.json'), 'utf8')) as { members: Record<string, Record<string, string>> }).members;
  for (const [struct, members] of Object.entries(docs)) for (const [m, doc] of Object.entries(members)) model.shapes[struct].members![m].documentation = doc;
  mkdirSync(join(dataDir, 'iot/2015-05-28'), { recursive: true });
  writeFileSync(join(dataDir, 'iot/2015-05-28/service-2.json'), JSON.stringify(model));
  // Both Python batches run side by side; they are most of this file's time.
  stock = awsBatch(names);
  ours = awsBatch(names, { AWS_DATA_PATH: dataDir });
  stock.catch(() => {});
  ours.catch(() => {});
  for (const n of names) wardenOut.set(n, await warden(n));
});

after(() => rmSync(dataDir, { recursive: true, force: true }));

describe('--generate-cli-skeleton yaml-input', () => {
  test(`all ${names.length} operations, against /usr/bin/aws's own model: identical but for the operations that model lacks or has older`, async () => {
    assert.equal(names.length, 272);
    const aws = await stock;
    const absent = names.filter((n) => aws[n].code === 252 && aws[n].stderr.includes('Invalid choice'));
    assert.equal(absent.length, ABSENT_THERE, `commands aws-cli does not know: ${absent.join(' ')}`);
    const differing: string[] = [];
    for (const n of names) {
      if (absent.includes(n)) continue;
      const w = wardenOut.get(n)!;
      assert.equal(w.code, aws[n].code, `exit code of ${n}: ${aws[n].stderr}`);
      if (w.stdout !== aws[n].stdout) differing.push(n);
    }
    assert.deepEqual(differing, CHANGED_SINCE);
    assert.equal(names.length - absent.length - differing.length, 220);
  });

  test(`all ${names.length} operations, the AWS CLI reading our model: byte-identical stdout and exit code`, async () => {
    const aws = await ours;
    for (const n of names) {
      const w = wardenOut.get(n)!;
      assert.equal(w.code, aws[n].code, `exit code of ${n}: ${aws[n].stderr}`);
      assert.equal(w.stdout, aws[n].stdout, `stdout of ${n}`);
    }
  });

  test('as real processes (4 at a time): /usr/bin/aws and bin/warden.js print the same', async () => {
    const sample = [
      'create-mitigation-action', 'update-mitigation-action', 'start-audit-mitigation-actions-task', 'start-detect-mitigation-actions-task',
      'list-audit-findings', 'describe-account-audit-configuration', 'create-thing', 'get-percentiles', 'create-ota-update',
    ];
    const jobs = sample.flatMap((n) => [
      { n, which: 'aws', p: () => run('/usr/bin/aws', ['iot', n, '--generate-cli-skeleton', 'yaml-input'], { env: clientEnv(), timeoutMs: 60_000 }) },
      { n, which: 'warden', p: () => run(process.execPath, [join(ROOT, 'bin/warden.js'), 'iot', n, '--generate-cli-skeleton', 'yaml-input'], { env: clientEnv(), timeoutMs: 60_000 }) },
    ]);
    const results = await bounded(jobs, 4, (j) => j.p());
    for (let i = 0; i < jobs.length; i += 2) {
      const [a, w] = [results[i], results[i + 1]];
      assert.equal(w.code, a.code, `exit code of ${jobs[i].n}: ${a.stderr} / ${w.stderr}`);
      assert.equal(w.stdout, a.stdout, `stdout of ${jobs[i].n}`);
      assert.equal(w.stdout, wardenOut.get(jobs[i].n)!.stdout, 'the process prints what iotMain returns');
    }
  });

  test('the comments: [REQUIRED], first sentence, enum values, and ruamel spacing (two spaces on a mapping\'s first comment)', async () => {
    const out = wardenOut.get('create-mitigation-action')!.stdout;
    assert.match(out, /^actionName: '' {2}# \[REQUIRED\] A friendly name for the action\.$/m);
    assert.match(out, /^roleArn: '' # \[REQUIRED\] The ARN of the IAM role that is used to apply the mitigation action\.$/m);
    assert.match(out, /^ {4}logLevel: DEBUG # \[REQUIRED\] Specifies the type of information to be logged\. Valid values are: DEBUG, INFO, ERROR, WARN, DISABLED\.$/m);
    assert.match(out, /^- Key: '' {2}# \[REQUIRED\] The tag's key\.$/m);
    assert.equal(wardenOut.get('describe-account-audit-configuration')!.stdout, '{}\n');
    assert.match(wardenOut.get('list-audit-findings')!.stdout, /^startTime: 1970-01-01 00:00:00 # /m);
  });

  test('every skeleton reads back (as --cli-input-yaml does) into the shape of the JSON input skeleton', () => {
    const form = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(form) : v && typeof v === 'object' && !(v instanceof Uint8Array) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, form((v as Record<string, unknown>)[k])])) : 'leaf';
    for (const n of names) {
      const cmd = commandTable().get(n)!;
      assert.deepEqual(form(parseYaml(wardenOut.get(n)!.stdout)), form(JSON.parse(skeleton(cmd, 'input'))), n);
    }
  });

  test('first sentences as awscli.customizations.utils.get_shape_doc_overview cuts them', () => {
    const cases: [string, string][] = [
      ['<p>The ID of the thing. Must be unique.</p>', 'The ID of the thing.'],
      ['<p>Valid values: <code>a</code></p>', 'Valid values.'],
      ['e.g. this', 'e.'],
      ['<a href="x&amp;y">t&lt;u</a>. z', 't<u.'],
      ['<p>a<![CDATA[x.y]]>b</p>', 'ab.'],
      ['<p>a<!-- c. -->b</p>', 'ab.'],
      ['line1\r\nline2\rline3. x', 'line1 line2 line3.'],
      ['x\u2028y. z', 'x y.'],
      ['&#65;&#x42;: c', 'AB.'],
      ['<p> </p>', ' .'],
      ['', ''],
      // Not well-formed XML: the text is kept as it is, tags and all.
      ['a < b. c', 'a < b.'],
      ['x &nbsp; y', 'x &nbsp; y.'],
      ['<p>unclosed', '<p>unclosed.'],
      ['<p>a</q>', '<p>a</q>.'],
      ["<p a='1' a='2'>x</p>", "<p a='1' a='2'>x</p>."],
      ["<?xml version='1.0'?>t", "<?xml version='1."],
    ];
    for (const [doc, expected] of cases) assert.equal(docOverview(doc), expected, JSON.stringify(doc));
  });
});
