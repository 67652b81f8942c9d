// Addresses, CIDR blocks and CIDR sets: strict parsing, RFC 5952 text, and set membership of
// addresses and blocks (merged ranges, IPv4-mapped IPv6) checked against a brute-force reference.
import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import { describe, test } from 'node:test';
import { CidrSet, formatIpBlock, parseHostPort, parseIPv4, parseIPv6, parseIpBlock } from '../../src/detect/ip.js';

describe('parseIPv4 and parseIPv6', () => {
  test('IPv4', () => {
    assert.equal(parseIPv4('0.0.0.0'), 0);
    assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
    assert.equal(parseIPv4('192.168.0.1'), 0xc0a80001);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.04', '1..2.3', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.a', '1.2.3.4/8', '1234.1.1.1', '-1.2.3.4']) {
      assert.equal(parseIPv4(bad), -1, bad);
    }
  });

  test('IPv6 agrees with node:net on what is an address', () => {
    const w = new Uint32Array(4);
    const samples = [
      '::', '::1', '1::', '1::2', '2001:db8::1', '2001:DB8:0:0:0:0:0:1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
      '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4', 'fe80::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      ':', ':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8',
      '1:', ':1', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3', '::256.1.1.1', '1.2.3.4', '', '::ffff:01.2.3.4', '1:2:3:4:5:6:7:8:',
    ];
    for (const s of samples) assert.equal(parseIPv6(s, w), isIPv6(s), s);
  });

  test('IPv6 words', () => {
    const w = new Uint32Array(4);
    assert.ok(parseIPv6('2001:db8::ff00:42:8329', w));
    assert.deepStrictEqual([...w], [0x20010db8, 0, 0xff00, 0x00428329]);
    assert.ok(parseIPv6('::ffff:192.168.0.1', w));
    assert.deepStrictEqual([...w], [0, 0, 0xffff, 0xc0a80001]);
  });
});

describe('parseIpBlock and formatIpBlock', () => {
  test('canonical text (RFC 5952), host bits cleared, mapped addresses as IPv4', () => {
    const cases: [string, string][] = [
      ['10.0.0.1', '10.0.0.1'],
      ['10.0.0.1/32', '10.0.0.1'],
      ['10.1.2.3/8', '10.0.0.0/8'],
      ['0.0.0.0/0', '0.0.0.0/0'],
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['2001:db8::ff/32', '2001:db8::/32'],
      ['::/0', '::/0'],
      ['::ffff:10.0.0.1', '10.0.0.1'],
      ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
      ['::ffff:0:0/80', '::/80'],
    ];
    for (const [input, text] of cases) assert.equal(formatIpBlock(parseIpBlock(input)!), text, input);
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', '::/129', 'x', '10.0.0.0/-1', '10.0.0.0/8/8', '']) {
      assert.equal(parseIpBlock(bad), undefined, bad);
    }
  });
});

describe('parseHostPort', () => {
  test('the forms devices send', () => {
    assert.deepStrictEqual(parseHostPort('192.168.0.1:8000'), { address: '192.168.0.1', port: 8000 });
    assert.deepStrictEqual(parseHostPort('[2001:db8::1]:443'), { address: '2001:db8::1', port: 443 });
    assert.deepStrictEqual(parseHostPort('[::ffff:1.2.3.4]:80'), { address: '1.2.3.4', port: 80 });
    assert.deepStrictEqual(parseHostPort('2001:db8::1:443'), { address: '2001:db8::1', port: 443 });
    assert.deepStrictEqual(parseHostPort('[fe80::1%eth0]:0'), { address: 'fe80::1', port: 0 });
    assert.deepStrictEqual(parseHostPort('1.2.3.4:65535'), { address: '1.2.3.4', port: 65535 });
    for (const bad of ['1.2.3.4', '1.2.3.4:', '1.2.3.4:65536', '1.2.3.4:080', '[1.2.3.4]:80', '[::1]', '[::1]80', 'host:80', ':80', '[::1]:x', '[fe80::1%e/h]:1']) {
      assert.equal(parseHostPort(bad), undefined, bad);
    }
  });
});

describe('CidrSet', () => {
  const set = new CidrSet(['10.0.0.0/8', '192.168.1.0/24', '192.168.2.0/24', '172.16.5.4', '2001:db8::/32', '2001:db9::/32', '::ffff:100.64.0.0/106']);

  test('addresses in and out, IPv4 and IPv6', () => {
    for (const a of ['10.0.0.0', '10.255.255.255', '192.168.1.7', '192.168.2.255', '172.16.5.4', '2001:db8::1', '2001:db9:ffff::', '100.64.0.1', '::ffff:10.1.1.1']) {
      assert.equal(set.locate(a), 'in', a);
    }
    for (const a of ['11.0.0.0', '9.255.255.255', '192.168.3.0', '172.16.5.5', '2001:dba::', '::1', '100.128.0.0', '::ffff:11.0.0.0']) {
      assert.equal(set.locate(a), 'out', a);
    }
    assert.equal(set.locate('nonsense'), 'invalid');
    assert.equal(set.locate('10.0.0.0/33'), 'invalid');
  });

  test('blocks: covered by the union of adjacent ranges, partly in, or out', () => {
    // 192.168.1.0/24 and 192.168.2.0/24 are adjacent, not one /23 (that would start at .0.0): .1.0–.2.255 covered.
    assert.equal(set.locate('192.168.1.128/25'), 'in');
    assert.equal(set.locate('10.1.0.0/16'), 'in');
    assert.equal(set.locate('192.168.0.0/16'), 'partly');
    assert.equal(set.locate('0.0.0.0/0'), 'partly');
    assert.equal(set.locate('11.0.0.0/8'), 'out');
    // 2001:db8::/32 and 2001:db9::/32 merge into one range.
    assert.equal(set.locate('2001:db8:8000::/33'), 'in');
    assert.equal(new CidrSet(['2001:db8::/32', '2001:db9::/32']).locate('2001:db8::/31'), 'in');
    assert.equal(set.locate('2001:db8::/31'), 'in');
    assert.equal(set.locate('2001::/16'), 'partly');
    assert.equal(set.locate('3000::/16'), 'out');
  });

  test('the empty set holds nothing', () => {
    const empty = new CidrSet([]);
    assert.ok(empty.empty);
    assert.equal(empty.locate('1.2.3.4'), 'out');
    assert.equal(empty.locate('::1'), 'out');
  });

  test('refuses text that is not a CIDR block', () => {
    assert.throws(() => new CidrSet(['10.0.0.0/8', 'bogus']), /'bogus' is not a CIDR block/);
  });

  test('agrees with a brute-force check over random IPv4 sets and addresses', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 50; round++) {
      const blocks: [number, number][] = [];
      const texts: string[] = [];
      for (let i = 0; i < 1 + rand(8); i++) {
        const prefix = 20 + rand(13);
        const base = (0x0a000000 + rand(1 << 16) * 256) >>> 0;
        const first = prefix === 0 ? 0 : (base & (0xffffffff << (32 - prefix))) >>> 0;
        const last = prefix === 32 ? first : (first | (0xffffffff >>> prefix)) >>> 0;
        blocks.push([first, last]);
        texts.push(`${first >>> 24}.${(first >>> 16) & 255}.${(first >>> 8) & 255}.${first & 255}/${prefix}`);
      }
      const s = new CidrSet(texts);
      for (let k = 0; k < 200; k++) {
        const a = (0x0a000000 + rand(1 << 24)) >>> 0;
        const text = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
        assert.ok(isIPv4(text));
        const expected = blocks.some(([f, l]) => a >= f && a <= l) ? 'in' : 'out';
        assert.equal(s.locate(text), expected, `${text} in ${texts.join(',')}`);
      }
    }
  });
});
