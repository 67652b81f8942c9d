// warden iot prints numbers as the AWS CLI does: what json.loads makes of Warden's JSON, printed by
// Python. Compared with Python itself (/usr/bin/python3, the interpreter of Debian's AWS CLI) on edge
// cases and on doubles drawn from every binary exponent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pyJson, pyNumber } from '../../src/cli/iot/python.js';
import { run } from '../harness.js';

/** Doubles from raw bit patterns: every exponent, random mantissas. */
function doubles(n: number): number[] {
  const out: number[] = [];
  const view = new DataView(new ArrayBuffer(8));
  let seed = 0x2545f491;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) {
    view.setUint32(0, ((next() < 0.5 ? 0 : 0x80000000) | (Math.floor(next() * 2046 + 1) << 20) | Math.floor(next() * 2 ** 20)) >>> 0);
    view.setUint32(4, Math.floor(next() * 2 ** 32));
    out.push(view.getFloat64(0));
  }
  return out;
}

const EDGES = [0, -0, 1, -1, 100, 0.1, 0.5, 33.33, 66.67, 1e-4, 1e-5, 1.5e-7, 2e-5, 1e-7, 1e-10, 123456789012345.67, 1e15, 1e16, 1e21, 2 ** 53, 2 ** 53 + 2, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308, -2.5e-9, 9007199254740993];

test('numbers print as Python prints json.loads(JSON.stringify(n))', async () => {
  const values = [...EDGES, ...doubles(3000), ...doubles(500).map((d) => Math.round(d * 1e6) / 1e6)].filter(Number.isFinite);
  const wire = values.map((v) => JSON.stringify(v));
  const py = await run('/usr/bin/python3', ['-c', 'import json,sys\nfor line in sys.stdin: print(json.dumps(json.loads(line)))'], { input: `${wire.join('\n')}\n` });
  assert.equal(py.code, 0, py.stderr);
  const expected = py.stdout.trimEnd().split('\n');
  assert.equal(expected.length, values.length);
  const wrong = values.map((v, i) => [wire[i], pyNumber(v), expected[i]]).filter(([, got, want]) => got !== want);
  assert.deepEqual(wrong.slice(0, 10), []);
  assert.equal(pyNumber(1e-5), '1e-05');
  assert.equal(pyNumber(100), '100');
});

test('pyJson is json.dumps(indent=4, ensure_ascii=False)', async () => {
  const v = { a: [1e-5, 2, { b: 'é "q"\n\u0001' }, [], {}], c: null, d: true, e: 0.1 };
  const py = await run('/usr/bin/python3', ['-c', 'import json,sys\nprint(json.dumps(json.loads(sys.stdin.read()), indent=4, ensure_ascii=False))'], { input: JSON.stringify(v) });
  assert.equal(py.code, 0, py.stderr);
  assert.equal(`${pyJson(v)}\n`, py.stdout);
});
