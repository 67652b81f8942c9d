// The HMAC-SHA256 that SigV4 verification signs with: node's createHmac is the reference, over
// keys shorter than, equal to and longer than a block, and messages that outgrow the kept buffer.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { constantTimeEqual, HmacSha256, sha256Hex } from '../../src/api/hmac.js';

describe('HmacSha256', () => {
  test('matches createHmac for keys of 0 to 100 bytes and messages of 0 to 1,000 characters', () => {
    for (const keyLength of [0, 1, 32, 63, 64, 65, 100]) {
      const key = randomBytes(keyLength);
      const mac = new HmacSha256(key);
      // One instance, growing and shrinking messages: leftovers of a longer message must not leak into a shorter one.
      for (const length of [0, 1, 55, 56, 64, 140, 300, 1000, 3, 140]) {
        const message = randomBytes(length).toString('base64').slice(0, length);
        assert.equal(mac.hex(message), createHmac('sha256', key).update(message, 'utf8').digest('hex'), `key ${keyLength} bytes, message ${length}`);
      }
    }
  });

  test('hashes messages as UTF-8', () => {
    const key = randomBytes(32);
    const message = 'AWS4-HMAC-SHA256\n20261201T000000Z\nré/gion/ü/aws4_request\n✓';
    assert.equal(new HmacSha256(key).hex(message), createHmac('sha256', key).update(message, 'utf8').digest('hex'));
  });

  test('the RFC 4231 test case 2 vector', () => {
    assert.equal(new HmacSha256(Buffer.from('Jefe')).hex('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

describe('sha256Hex and constantTimeEqual', () => {
  test('sha256Hex is SHA-256 of the UTF-8 text', () => {
    for (const text of ['', 'GET\n/\n\nhost:x\n\nhost\nUNSIGNED-PAYLOAD', 'é✓']) {
      assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'));
    }
    const bytes = randomBytes(300);
    assert.equal(sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'), 'bytes are hashed as they are');
  });

  test('constantTimeEqual tells equal strings from different ones of any length', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('', ''), true);
    assert.equal(constantTimeEqual('abc', 'abd'), false);
    assert.equal(constantTimeEqual('abc', 'ab'), false);
    assert.equal(constantTimeEqual('a'.repeat(64), `${'a'.repeat(63)}b`), false);
  });
});
