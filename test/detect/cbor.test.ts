// The CBOR decoder of metrics reports: RFC 8949 Appendix A's vectors, round trips through an
// independent encoder (cbor-x), and every kind of malformed input refused with its offset.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decode as decodeCborX, Encoder } from 'cbor-x';
import { CborError, decodeCbor, encodeCbor } from '../../src/detect/cbor.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const decodeHex = (h: string): unknown => decodeCbor(hex(h));

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });
const float32 = new Encoder({ useRecords: false, mapsAsObjects: true, useFloat32: 1 });

describe('decodeCbor: RFC 8949 Appendix A', () => {
  const vectors: [string, unknown][] = [
    ['00', 0],
    ['01', 1],
    ['17', 23],
    ['1818', 24],
    ['1819', 25],
    ['1864', 100],
    ['1903e8', 1000],
    ['1a000f4240', 1000000],
    ['1b000000e8d4a51000', 1000000000000],
    ['1b001fffffffffffff', Number.MAX_SAFE_INTEGER],
    ['1b0020000000000000', 2n ** 53n],
    ['1bffffffffffffffff', 18446744073709551615n],
    ['c249010000000000000000', 18446744073709551616n],
    ['3bffffffffffffffff', -18446744073709551616n],
    ['3b001ffffffffffffe', -Number.MAX_SAFE_INTEGER],
    ['3b001fffffffffffff', -(2n ** 53n)],
    ['c349010000000000000000', -18446744073709551617n],
    ['20', -1],
    ['29', -10],
    ['3863', -100],
    ['3903e7', -1000],
    ['f90000', 0],
    ['f93c00', 1],
    ['fb3ff199999999999a', 1.1],
    ['f93e00', 1.5],
    ['f97bff', 65504],
    ['fa47c35000', 100000],
    ['fa7f7fffff', 3.4028234663852886e38],
    ['fb7e37e43c8800759c', 1e300],
    ['f90001', 5.960464477539063e-8],
    ['f90400', 0.00006103515625],
    ['f9c400', -4],
    ['fbc010666666666666', -4.1],
    ['f97c00', Infinity],
    ['f9fc00', -Infinity],
    ['fa7f800000', Infinity],
    ['fbfff0000000000000', -Infinity],
    ['f4', false],
    ['f5', true],
    ['f6', null],
    ['f7', undefined],
    ['40', new Uint8Array(0)],
    ['4401020304', Uint8Array.of(1, 2, 3, 4)],
    ['60', ''],
    ['6161', 'a'],
    ['6449455446', 'IETF'],
    ['62225c', '"\\'],
    ['62c3bc', 'ü'],
    ['63e6b0b4', '水'],
    ['64f0908591', '𐅑'],
    ['80', []],
    ['83010203', [1, 2, 3]],
    ['8301820203820405', [1, [2, 3], [4, 5]]],
    ['98190102030405060708090a0b0c0d0e0f101112131415161718181819', Array.from({ length: 25 }, (_, i) => i + 1)],
    ['a0', {}],
    ['a26161016162820203', { a: 1, b: [2, 3] }],
    ['826161a161626163', ['a', { b: 'c' }]],
    ['a56161614161626142616361436164614461656145', { a: 'A', b: 'B', c: 'C', d: 'D', e: 'E' }],
    ['5f42010243030405ff', Uint8Array.of(1, 2, 3, 4, 5)],
    ['7f657374726561646d696e67ff', 'streaming'],
    ['9fff', []],
    ['9f018202039f0405ffff', [1, [2, 3], [4, 5]]],
    ['9f01820203820405ff', [1, [2, 3], [4, 5]]],
    ['83018202039f0405ff', [1, [2, 3], [4, 5]]],
    ['83019f0203ff820405', [1, [2, 3], [4, 5]]],
    ['bf61610161629f0203ffff', { a: 1, b: [2, 3] }],
    ['826161bf61626163ff', ['a', { b: 'c' }]],
    ['bf6346756ef563416d7421ff', { Fun: true, Amt: -2 }],
    // The self-described CBOR prefix (tag 55799) wraps an item.
    ['d9d9f7a0', {}],
  ];
  for (const [h, expected] of vectors) {
    test(`0x${h}`, () => assert.deepStrictEqual(decodeHex(h), expected));
  }

  test('negative zero and NaN', () => {
    assert.ok(Object.is(decodeHex('f98000'), -0));
    assert.ok(Number.isNaN(decodeHex('f97e00')));
    assert.ok(Number.isNaN(decodeHex('fa7fc00000')));
    assert.ok(Number.isNaN(decodeHex('fb7ff8000000000000')));
  });
});

describe('decodeCbor against cbor-x', () => {
  const values: unknown[] = [
    0,
    23,
    24,
    255,
    256,
    65535,
    65536,
    2 ** 32 - 1,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    -1,
    -24,
    -25,
    -256,
    -257,
    -65537,
    -(2 ** 32),
    -(2 ** 32) - 1,
    2n ** 63n,
    2n ** 64n - 1n,
    -(2n ** 63n),
    -(2n ** 64n),
    0.5,
    -1234.5678,
    1e-300,
    'a',
    'x'.repeat(300),
    'üñíçødé and more than thirty-two bytes of text ✓',
    '',
    true,
    false,
    null,
    [],
    {},
    { header: { report_id: 1530304554, version: '1.0' }, metrics: { network_stats: { bytes_in: 29358693495, bytes_out: 26485035 } } },
    { hed: { rid: 1530305228, v: '1.0' }, met: { tp: { pts: [{ if: 'eth0', pt: 24800 }], t: 1 } }, cmet: { cpu: [{ number_list: [1, 2.5, -3] }] } },
    Array.from({ length: 1000 }, (_, i) => ({ [`k${i}`]: i * 3 })),
    { a: { b: { c: { d: { e: ['deep'] } } } } },
  ];
  for (const v of values) {
    const label = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))?.slice(0, 60);
    test(`round trip ${label}`, () => {
      const decoded = decodeCbor(encoder.encode(v));
      // cbor-x writes integers beyond 2^53 as 64-bit integers or bignums: the decoder answers bigints for them.
      assert.deepStrictEqual(decoded, v);
    });
  }

  test('byte strings', () => {
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    assert.deepStrictEqual(decodeCbor(encoder.encode({ b: bytes })), { b: Uint8Array.from(bytes) });
  });

  test('single-precision floats', () => {
    const bytes = float32.encode({ a: 1.5, b: 0.25, c: 2 ** 100 });
    assert.ok(bytes.includes(0xfa), 'the encoder wrote single-precision floats');
    assert.deepStrictEqual(decodeCbor(bytes), { a: 1.5, b: 0.25, c: 2 ** 100 });
  });

  test('a subarray of a larger buffer decodes on its own offsets', () => {
    const inner = encoder.encode({ x: [1, 2, 3] });
    const big = new Uint8Array(inner.length + 10);
    big.set(inner, 5);
    assert.deepStrictEqual(decodeCbor(big.subarray(5, 5 + inner.length)), { x: [1, 2, 3] });
  });

  test('a key named __proto__ is a key, not a prototype', () => {
    // {"__proto__": {"polluted": 1}}
    const v = decodeHex('a1695f5f70726f746f5f5fa168706f6c6c7574656401') as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(v), ['__proto__']);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('decodeCbor refuses malformed input', () => {
  const bad: [string, string, RegExp][] = [
    ['empty input', '', /end of input.*at byte 0/],
    ['a truncated 2-byte argument', '1903', /end of input: a 2-byte argument.*at byte 1/],
    ['a truncated 8-byte argument', '1b0000', /8-byte argument/],
    ['a truncated float', 'fb3ff1', /double-precision float/],
    ['a truncated array', '830102', /Declared length 3 does not fit in the remaining 2 bytes.*at byte 0/],
    ['a truncated indefinite array', '9f0102', /end of input: a data item.*at byte 3/],
    ['a truncated map value', 'a16161', /end of input.*at byte 3/],
    ['a string longer than the input', '6561626364', /Declared length 5 does not fit in the remaining 4 bytes.*at byte 0/],
    ['a huge declared length', '5affffffff00', /Declared length 4294967295/],
    ['a huge array length', '9b00000001000000000000', /Declared length/],
    ['a 64-bit length', '5bffffffffffffffff', /Declared length/],
    ['reserved additional information 28', '1c', /Reserved additional information value 28.*0x1c.*at byte 0/],
    ['reserved additional information 30 in a float', 'fe', /Reserved additional information value 30/],
    ['indefinite-length integer', '1f', /unsigned integer cannot have indefinite length/],
    ['indefinite-length negative integer', '3f', /negative integer cannot have indefinite length/],
    ['indefinite-length tag', 'df00', /tag cannot have indefinite length/],
    ['a lone break', 'ff', /break \(0xff\) outside an indefinite-length item.*at byte 0/],
    ['a break inside a definite array', '8201ff', /break.*at byte 2/],
    ['a break as a definite map key', 'a1ff01', /break.*at byte 1/],
    ['a break as a map value', 'bf6161ffff', /break.*at byte 3/],
    ['an unterminated indefinite array', '9f0102', /end of input/],
    ['an unterminated indefinite string', '5f4101', /end of input: a string chunk or break/],
    ['a text chunk in a byte string', '5f6161ff', /chunk of an indefinite-length byte string.*at byte 1/],
    ['an indefinite chunk in a text string', '7f7fffff', /chunk of an indefinite-length text string/],
    ['an integer chunk in a text string', '7f01ff', /chunk/],
    ['invalid UTF-8', '62c328', /not valid UTF-8.*at byte 0/],
    ['invalid UTF-8 in a long string', `7821${'61'.repeat(32)}ff`, /not valid UTF-8/],
    ['a lone surrogate in UTF-8', '63eda080', /not valid UTF-8/],
    ['invalid UTF-8 in one chunk of a text string', '7f61c361bcff', /not valid UTF-8.*at byte 1/],
    ['a non-text map key', 'a10102', /map key must be a text string, not a number.*at byte 1/],
    ['an array map key', 'a1800102', /map key must be a text string, not an array/],
    ['a repeated map key', 'a2616101616102', /The map key 'a' appears twice.*at byte 4/],
    ['a repeated key in an indefinite map', 'bf61610161610202ff', /appears twice/],
    ['an unsupported tag', 'c11a514b67b0', /Unsupported tag 1.*at byte 0/],
    ['a bignum tag on a text string', 'c26161', /Tag 2 \(bignum\) must hold a byte string/],
    ['a two-byte simple value below 32', 'f810', /Simple value 16 must be encoded in the initial byte/],
    ['an unassigned simple value', 'f0', /Unsupported simple value 16/],
    ['an unassigned two-byte simple value', 'f8ff', /Unsupported simple value 255/],
    ['trailing bytes', '0000', /1 trailing byte after the data item.*at byte 1/],
    ['two maps', 'a0a0', /trailing byte/],
    ['nesting deeper than 64 levels', `${'81'.repeat(100)}00`, /Nesting deeper than 64 levels/],
  ];
  for (const [what, h, message] of bad) {
    test(what, () => {
      assert.throws(
        () => decodeHex(h),
        (e: unknown) => e instanceof CborError && message.test(e.message),
      );
    });
  }

  test('64 levels of nesting are fine', () => {
    let v: unknown = decodeHex(`${'81'.repeat(64)}00`);
    let depth = 0;
    while (Array.isArray(v)) {
      v = v[0];
      depth++;
    }
    assert.equal(depth, 64);
  });

  test('the error carries the offset', () => {
    try {
      decodeHex('83010203ff');
      assert.fail('decoded');
    } catch (e) {
      assert.ok(e instanceof CborError);
      assert.equal(e.offset, 4);
    }
  });
});

describe('encodeCbor (the metrics topics\' answers)', () => {
  test('RFC 8949 Appendix A heads, in the shortest form', () => {
    const cases: [unknown, string][] = [
      [0, '00'],
      [23, '17'],
      [24, '1818'],
      [1000, '1903e8'],
      [1000000, '1a000f4240'],
      [1000000000000, '1b000000e8d4a51000'],
      [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
      [-1, '20'],
      [-1000, '3903e7'],
      ['', '60'],
      ['IETF', '6449455446'],
      ['\u00fc', '62c3bc'],
      [[1, [2, 3]], '8201820203'],
      [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
      [true, 'f5'],
      [null, 'f6'],
    ];
    for (const [value, h] of cases) assert.equal(Buffer.from(encodeCbor(value)).toString('hex'), h, JSON.stringify(value));
  });

  test('an answer round-trips through cbor-x and through our decoder; undefined fields are left out', () => {
    const answer = { thingName: 'd1', reportId: 1_700_000_000, status: 'REJECTED', statusDetails: { ErrorCode: 'InvalidPayload', ErrorMessage: 'x'.repeat(300) }, extra: undefined };
    const { extra: _, ...expected } = answer;
    assert.deepEqual(decodeCborX(encodeCbor(answer)), expected);
    assert.deepEqual(decodeCbor(encodeCbor(answer)), expected);
  });

  test('what it cannot encode throws', () => {
    assert.throws(() => encodeCbor(1.5), /cannot encode number/);
    assert.throws(() => encodeCbor(2n), /cannot encode bigint/);
  });
});
