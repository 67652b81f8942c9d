// SEMANTICS.md D21: AWS's API rate quotas are off by default; `--throttle` enforces them per account,
// region and operation with ThrottlingException (400), so clients can test their retries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { raw, startServer, type Running } from '../harness.js';

/** `n` signed DescribeMitigationAction requests at once (the action does not exist: 404 unless throttled). */
async function burst(url: string, n: number, region = 'us-east-1') {
  const all = await Promise.all(Array.from({ length: n }, () => raw(url, { method: 'GET', path: '/mitigationactions/actions/none', region })));
  const by = (status: number) => all.filter((r) => r.status === status);
  return { notFound: by(404).length, throttled: by(400), others: all.filter((r) => r.status !== 404 && r.status !== 400) };
}

describe('API rate quotas (D21)', () => {
  let plain: Running;
  let throttled: Running;
  before(async () => {
    [plain, throttled] = await Promise.all([startServer({ backend: 'sqlite' }), startServer({ backend: 'sqlite', args: ['--throttle'] })]);
  });
  after(async () => {
    await Promise.all([plain?.cleanup(), throttled?.cleanup()]);
  });

  test('not enforced by default', async () => {
    const r = await burst(plain.url, 60);
    assert.equal(r.notFound, 60);
  });

  test('with --throttle: 25 DescribeMitigationAction a second, then ThrottlingException; other regions have their own quota; it refills', async () => {
    const r = await burst(throttled.url, 40);
    assert.deepEqual(r.others, []);
    assert.ok(r.notFound >= 25 && r.notFound <= 30, `${r.notFound} answered within the burst`);
    assert.equal(r.throttled.length, 40 - r.notFound);
    for (const t of r.throttled) {
      assert.equal(t.headers.get('x-amzn-errortype'), 'ThrottlingException');
      assert.match(t.json.message, /Rate exceeded: DescribeMitigationAction allows 25 requests per second/);
    }
    assert.equal((await burst(throttled.url, 20, 'eu-west-1')).notFound, 20, 'another region is not throttled');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await burst(throttled.url, 20)).notFound, 20, 'a second later the bucket is full again');
  });
});
