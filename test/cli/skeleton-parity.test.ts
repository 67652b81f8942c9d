// `--generate-cli-skeleton yaml-input` parity with Debian's AWS CLI v2 (/usr/bin/aws), for every operation
// of the model. Debian's CLI (2.9.19) bundles an older IoT model than ours: 34 of our operations do not
// exist there and 18 have inputs that changed since. What is proven, and how:
//
// - The CLI's own code, reading our model (AWS_DATA_PATH pointing at model/iot-2015-05-28.json with
//   model/iot-docs.json put back into it), prints byte for byte what warden prints, for all 272 operations.
//   Starting the AWS CLI 272 times costs minutes, so the commands go through its own entry point
//   (awscli.clidriver.AWSCLIEntryPoint, what /usr/bin/aws calls) in one Python process, a fresh driver per
//   command, and through `iotMain` (what bin/warden.js calls) in this one. A sample runs both as real
//   processes to show that this shortcut changes nothing. (The drivers share one thing: the listings of
//   the model folders, which do not change during the run; see DRIVER.)
// - With its own model, the CLI prints the same for the 220 other operations, shown on the models rather
//   than by running it 272 times more. A skeleton is made from the operation's input shape alone
//   (YAMLArgumentGenerator in awscli/customizations/generatecliskeleton.py walks
//   operation_model.input_shape), so it depends on nothing but the shapes reachable from that input; for
//   220 operations those are the same in the CLI's model as in ours (each shape compared as a whole; see
//   inputView for what is left out, none of which a skeleton can show). The CLI is deterministic in its
//   model, so for those 220 it prints with its own model what it prints with ours, which is warden's
//   output. The other operations are the 34 its model lacks and exactly the 18 of CHANGED_SINCE.
// - The CLI as installed, with nothing patched and its own model, run on a sample of each kind: it
//   refuses the operations its model lacks, prints warden's bytes for unchanged ones and something else
//   for changed ones, as the comparison of the models predicts.
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
/** The IoT model bundled with /usr/bin/aws: what it reads without AWS_DATA_PATH. */
const STOCK_MODEL = '/usr/lib/python3/dist-packages/awscli/botocore/data/iot/2015-05-28/service-2.json';
/** Run through the CLI as installed, with its own model. */
const STOCK_SAMPLE = {
  absent: ['create-command', 'list-packages'],
  changed: ['create-thing-type', 'describe-job', 'update-indexing-configuration'],
  // Among them, inputs the same but for what inputView leaves out: a renamed shape (search-index), other
  // patterns and lengths (create-thing, create-ota-update), documentation on shapes instead of members
  // (create-audit-suppression).
  same: [
    'create-audit-suppression', 'create-mitigation-action', 'create-ota-update', 'create-thing',
    'describe-account-audit-configuration', 'list-audit-findings', 'search-index',
  ],
};

/**
 * Runs each command line through the AWS CLI's entry point in this Python process; prints {name: {code, stdout, stderr}}.
 * Reads {names, walkOnce} from stdin.
 */
const DRIVER = `
import functools, io, json, os, sys, types
from awscli.clidriver import AWSCLIEntryPoint
from botocore import loaders
job = json.load(sys.stdin)
if job['walkOnce']:
    # Every new driver's loader walks the model folders again (it lists the ~400 service folders of each
    # search path, to build the command table): over a third of the time, mostly in system calls. Those
    # folders do not change while this runs, so the loader's folder listings and file existence checks are
    # made once; all of the CLI's code still runs, and every driver opens and parses its own copy of each
    # model file.
    once = functools.lru_cache(maxsize=None)
    listdir = once(lambda p: tuple(os.listdir(p)))
    path = types.SimpleNamespace(**{**vars(os.path), 'isdir': once(os.path.isdir), 'isfile': once(os.path.isfile), 'exists': once(os.path.exists)})
    loaders.os = types.SimpleNamespace(**{**vars(os), 'path': path, 'listdir': lambda p: list(listdir(p))})
real_out, real_err = sys.stdout, sys.stderr
results = {}
for name in job['names']:
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

async function awsBatch(names: string[], walkOnce: boolean, env: Record<string, string> = {}): Promise<Batch> {
  const input = JSON.stringify({ names, walkOnce });
  const r = await run('/usr/bin/python3', ['-c', DRIVER], { env: { ...clientEnv(), ...env }, input, timeoutMs: 110_000 });
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

type Ref = { shape: string; documentation?: string; [trait: string]: unknown };
type ShapeJson = { type: string; documentation?: string; members?: Record<string, Ref>; member?: Ref; key?: Ref; value?: Ref; [trait: string]: unknown };
type ModelJson = { operations: Record<string, { input?: Ref }>; shapes: Record<string, ShapeJson> };

/** Constraints: checked only when a request is sent, which --generate-cli-skeleton never does; nothing on the way to a skeleton reads them. */
const UNREAD_TRAITS = ['min', 'max', 'pattern'];

/** Objects with their keys sorted, at every depth; arrays keep their order. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/**
 * What a skeleton can be made from, as one string: the operation's input reference and every shape reachable
 * from it (through members, member, key and value), each as its whole JSON, keys sorted but member order kept
 * (the skeleton's order). Left out, as nothing a skeleton shows depends on them:
 * - shape names: shapes are numbered in the order a depth-first walk first meets them. ArgumentGenerator
 *   (awscli/botocore/utils.py) reads a name only to stop at a structure that recurs inside itself
 *   (`stack.count(shape.name)`), and names are unique in a model, so a renamed shape is the same skeleton.
 * - a shape's own documentation, once copied onto each structure member that references the shape without
 *   documentation of its own: botocore's resolve_shape_ref lays the member's traits over the shape, and the
 *   comment shows that member's documentation. Nothing else reads it: the input itself, list members, map keys
 *   and values get no comment.
 * - UNREAD_TRAITS.
 * Undefined if the model has no such operation.
 */
function inputView(model: ModelJson, operation: string): string | undefined {
  const op = model.operations[operation];
  if (!op) return undefined;
  const numbers = new Map<string, number>();
  const shapes: unknown[] = [];
  const ref = (r: Ref, isStructureMember = false): unknown => {
    const target = model.shapes[r.shape];
    assert.ok(target, `no shape ${r.shape}`);
    let n = numbers.get(r.shape);
    if (n === undefined) {
      numbers.set(r.shape, (n = shapes.length));
      shapes.push(undefined);
      const { documentation: _shapeDoc, members, member, key, value, ...rest } = target;
      for (const t of UNREAD_TRAITS) delete rest[t];
      shapes[n] = {
        ...(sortKeys(rest) as object),
        members: members && Object.entries(members).map(([name, m]) => [name, ref(m, true)]),
        member: member && ref(member),
        key: key && ref(key),
        value: value && ref(value),
      };
    }
    const inherited = isStructureMember && !('documentation' in r) && target.documentation !== undefined ? { documentation: target.documentation } : {};
    return sortKeys({ ...r, ...inherited, shape: n });
  };
  return JSON.stringify({ input: op.input ? ref(op.input) : null, shapes });
}

const names = [...commandTable().keys()].sort();
let dataDir: string;
let stock: Promise<Batch>;
let ours: Promise<Batch>;
const wardenOut = new Map<string, Result>();
/** Per command, from the models: absent from the CLI's own, or its input there the `same` as ours or `changed`. */
const verdict = new Map<string, 'absent' | 'same' | 'changed'>();

before(async () => {
  // Our model with the documentation overlay put back where botocore reads it (member references).
  dataDir = mkdtempSync(join(tmpdir(), 'warden-skeleton-'));
  const model = JSON.parse(readFileSync(join(ROOT, 'model/iot-2015-05-28.json'), 'utf8')) as ModelJson;
  const docs = (JSON.parse(readFileSync(join(ROOT, 'model/iot-docs.json'), 'utf8')) as { members: Record<string, Record<string, string>> }).members;
  for (const [struct, members] of Object.entries(docs)) for (const [m, doc] of Object.entries(members)) model.shapes[struct].members![m].documentation = doc;
  mkdirSync(join(dataDir, 'iot/2015-05-28'), { recursive: true });
  writeFileSync(join(dataDir, 'iot/2015-05-28/service-2.json'), JSON.stringify(model));
  // Both Python batches run side by side; the one over all operations is most of this file's time.
  stock = awsBatch(Object.values(STOCK_SAMPLE).flat(), false);
  ours = awsBatch(names, true, { AWS_DATA_PATH: dataDir });
  stock.catch(() => {});
  ours.catch(() => {});
  const theirs = JSON.parse(readFileSync(STOCK_MODEL, 'utf8')) as ModelJson;
  for (const n of names) {
    const operation = commandTable().get(n)!.operation.name;
    const there = inputView(theirs, operation);
    verdict.set(n, there === undefined ? 'absent' : there === inputView(model, operation) ? 'same' : 'changed');
  }
  for (const n of names) wardenOut.set(n, await warden(n));
});

after(() => rmSync(dataDir, { recursive: true, force: true }));

describe('--generate-cli-skeleton yaml-input', () => {
  test(`all ${names.length} operations, in /usr/bin/aws's own model: the same input shapes but for the operations that model lacks or has older`, () => {
    assert.equal(names.length, 272);
    const absent = names.filter((n) => verdict.get(n) === 'absent');
    assert.equal(absent.length, ABSENT_THERE, `operations aws-cli's model does not have: ${absent.join(' ')}`);
    assert.deepEqual(names.filter((n) => verdict.get(n) === 'changed'), CHANGED_SINCE);
    // With the next test (the CLI reading our model prints warden's bytes for all 272), the CLI reading its own
    // model prints warden's bytes for these: its output is a function of these shapes, which are the same.
    assert.equal(names.filter((n) => verdict.get(n) === 'same').length, 220);
  });

  test(`all ${names.length} operations, the AWS CLI reading our model: byte-identical stdout and exit code`, async () => {
    const aws = await ours;
    for (const n of names) {
      const w = wardenOut.get(n)!;
      assert.equal(w.code, aws[n].code, `exit code of ${n}: ${aws[n].stderr}`);
      assert.equal(w.stdout, aws[n].stdout, `stdout of ${n}`);
    }
  });

  test('/usr/bin/aws as installed, on a sample: what the models predict (refused, identical, different)', async () => {
    const aws = await stock;
    for (const [kind, sample] of Object.entries(STOCK_SAMPLE)) {
      for (const n of sample) {
        assert.equal(verdict.get(n), kind, `the models say ${n} is ${verdict.get(n)}`);
        const [a, w] = [aws[n], wardenOut.get(n)!];
        if (kind === 'absent') {
          assert.equal(a.code, 252, `exit code of ${n}`);
          assert.ok(a.stderr.includes('Invalid choice'), `stderr of ${n}: ${a.stderr}`);
          continue;
        }
        assert.equal(w.code, 0, `warden's exit code of ${n}`);
        assert.equal(a.code, 0, `exit code of ${n}: ${a.stderr}`);
        if (kind === 'same') assert.equal(a.stdout, w.stdout, `stdout of ${n}`);
        else assert.notEqual(a.stdout, w.stdout, `stdout of ${n}`);
      }
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
