// The key-quality verdict stored with every certificate: the ROCA fingerprint (CVE-2017-15361) on
// moduli really built the way Infineon's library built them, ordinary node keys, short RSA keys,
// and non-RSA keys. What it costs (registration pays it for every certificate) is for bench/.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { KEY_VULNERABILITY_ROCA, KEY_WEAK_RSA_MODULUS, keyQuality } from '../../src/registry/key-quality.js';
import { fingerprintMask, hasRocaFingerprint } from '../../src/registry/roca.js';
import { rocaModulus, rocaPrime, rocaPrimorial, rsaPublicKey } from '../audit/roca-helpers.js';

const rsaKey = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).publicKey;
const modulusOf = (key: ReturnType<typeof rsaKey>): bigint => BigInt(`0x${Buffer.from(key.export({ format: 'jwk' }).n!, 'base64url').toString('hex')}`);

describe('ROCA fingerprint', () => {
  test('the subgroup masks match the first ones the published test lists (primes 3, 5, 7, 11, 13, 17)', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(fingerprintMask), [6n, 30n, 126n, 1026n, 5658n, 107286n]);
  });

  test('ROCA-structured moduli of 512, 1024 and 2048 bits are flagged as CVE-2017-15361', () => {
    for (const bits of [512, 1024, 2048]) {
      const n = rocaModulus(bits);
      assert.equal(n.toString(2).length, bits, `a ${bits}-bit modulus`);
      assert.equal(hasRocaFingerprint(n), true);
      const key = rsaPublicKey(n);
      assert.equal(key.asymmetricKeyDetails?.modulusLength, bits);
      // The CVE is the more specific finding, so it wins over the short-key rule at 512 and 1024 bits.
      assert.equal(keyQuality(key), KEY_VULNERABILITY_ROCA, `${bits} bits`);
    }
  });

  test('one ROCA prime times an ordinary prime does not carry the fingerprint', () => {
    const p = rocaPrime(1024, rocaPrimorial(2048));
    const q = modulusOf(rsaKey(2048)) >> 1024n | 1n; // not prime, but the residues are what matters
    assert.equal(hasRocaFingerprint(p * q), false);
  });

  test('ordinary node-generated RSA keys are clean', () => {
    for (let i = 0; i < 3; i++) {
      const key = rsaKey(2048);
      assert.equal(hasRocaFingerprint(modulusOf(key)), false);
      assert.equal(keyQuality(key), null);
    }
    assert.equal(keyQuality(rsaKey(3072)), null);
    assert.equal(keyQuality(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey), null);
  });
});

describe('key quality verdicts', () => {
  test('RSA keys under 2048 bits are weak', () => {
    assert.equal(keyQuality(rsaKey(1024)), KEY_WEAK_RSA_MODULUS);
    assert.equal(keyQuality(generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).publicKey), KEY_WEAK_RSA_MODULUS);
  });

  test('EC and EdDSA keys are clean', () => {
    assert.equal(keyQuality(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), null);
    assert.equal(keyQuality(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey), null);
    assert.equal(keyQuality(generateKeyPairSync('ed25519').publicKey), null);
  });
});
