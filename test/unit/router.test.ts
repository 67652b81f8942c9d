// The router's memo of matches: a path seen before gives the same operation and labels as the
// first time, other paths their own, and a shared match cannot be changed by its user.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadModel } from '../../src/api/model.js';
import { BadPathEncoding, Router } from '../../src/api/router.js';

describe('Router memo', () => {
  const router = new Router(loadModel());

  test('the same path twice gives the same match; another name gives its own labels', () => {
    const a = router.match('GET', '/mitigationactions/actions/one')!;
    const again = router.match('GET', '/mitigationactions/actions/one')!;
    const b = router.match('GET', '/mitigationactions/actions/two%2Fthree')!;
    assert.equal(a.operation.name, 'DescribeMitigationAction');
    assert.equal(again, a);
    assert.deepEqual(a.labels, { actionName: 'one' });
    assert.deepEqual(b.labels, { actionName: 'two/three' });
    assert.equal(router.match('DELETE', '/mitigationactions/actions/one')!.operation.name, 'DeleteMitigationAction');
  });

  test('labels of a kept match are frozen', () => {
    const m = router.match('GET', '/mitigationactions/actions/frozen')!;
    assert.throws(() => {
      (m.labels as Record<string, string>).actionName = 'other';
    }, TypeError);
    assert.equal(router.match('GET', '/mitigationactions/actions/frozen')!.labels.actionName, 'frozen');
  });

  test('no match and bad encodings are answered every time, long paths too', () => {
    assert.equal(router.match('GET', '/no/such/path'), undefined);
    assert.equal(router.match('GET', '/no/such/path'), undefined);
    assert.throws(() => router.match('GET', '/mitigationactions/actions/%E0%A4%A'), BadPathEncoding);
    assert.throws(() => router.match('GET', '/mitigationactions/actions/%E0%A4%A'), BadPathEncoding);
    const long = 'x'.repeat(600);
    assert.deepEqual(router.match('GET', `/mitigationactions/actions/${long}`)!.labels, { actionName: long });
  });

  test('more paths than the memo holds still match correctly', () => {
    for (let i = 0; i < 10_050; i++) {
      const m = router.match('GET', `/things/t${i}`)!;
      assert.equal(m.labels.thingName, `t${i}`);
    }
    assert.equal(router.match('GET', '/things/t5')!.labels.thingName, 't5');
  });
});
