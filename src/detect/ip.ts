/**
 * IP addresses, CIDR blocks and sets of them, as Detect needs them: the report parser checks the
 * "ip:port" of established connections and the addresses of ip-address-list custom metrics; the
 * evaluation tests every address of a datapoint against a behavior's `cidrs` (in-cidr-set /
 * not-in-cidr-set). Parsing is strict (dotted-quad IPv4 without leading zeros; RFC 4291 IPv6 with
 * `::` and an embedded IPv4 tail) and allocation-free on the hot path: an IPv4 address is an
 * unsigned 32-bit number, an IPv6 address four big-endian 32-bit words in a caller's Uint32Array.
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts as the IPv4 address it maps. A CidrSet merges
 * its blocks into sorted, disjoint ranges, so membership is a binary search and a block (a CIDR in
 * a datapoint) is "in" the set when the union of the set's blocks covers it.
 */

/** An IPv4 address in s[start, end) as an unsigned 32-bit number, or -1. */
export function parseIPv4(s: string, start = 0, end = s.length): number {
  let value = 0;
  let parts = 0;
  let i = start;
  while (parts < 4) {
    const first = i;
    let octet = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i++;
      if (i - first > 3) return -1;
    }
    const digits = i - first;
    if (digits === 0 || octet > 255 || (digits > 1 && s.charCodeAt(first) === 48)) return -1;
    value = value * 256 + octet;
    parts++;
    if (parts < 4) {
      if (i >= end || s.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === end ? value : -1;
}

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const groups = new Uint16Array(8);

/** An IPv6 address in s[start, end) into out[0..3] (big-endian words); false when it is not one. */
export function parseIPv6(s: string, out: Uint32Array, start = 0, end = s.length): boolean {
  if (end - start < 2) return false;
  let i = start;
  let n = 0;
  let gap = -1;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (n >= 8) return false;
    let j = i;
    let v = 0;
    while (j < end && j - i < 5) {
      const h = hex(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    if (j < end && s.charCodeAt(j) === 46) {
      // An embedded IPv4 address takes the last two groups.
      if (n > 6) return false;
      const v4 = parseIPv4(s, i, end);
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    const len = j - i;
    if (len === 0 || len > 4) return false;
    groups[n++] = v;
    if (j === end) {
      i = j;
      break;
    }
    if (s.charCodeAt(j) !== 58) return false;
    if (j + 1 < end && s.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) return false;
    }
  }
  if (gap < 0) {
    if (n !== 8) return false;
  } else {
    // `::` stands for at least one group of zeros.
    if (n > 7) return false;
    const tail = n - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[n - 1 - k];
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  for (let k = 0; k < 4; k++) out[k] = ((groups[2 * k] << 16) | groups[2 * k + 1]) >>> 0;
  return true;
}

/** True when an IPv6 address (four words) is IPv4-mapped (::ffff:0:0/96); its IPv4 address is words[3]. */
export const isIPv4Mapped = (w: Uint32Array): boolean => w[0] === 0 && w[1] === 0 && w[2] === 0xffff;

export function formatIPv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** RFC 5952 text: lower case, the longest run of two or more zero groups (leftmost on a tie) as `::`. */
export function formatIPv6(w: Uint32Array): string {
  const g = [w[0] >>> 16, w[0] & 0xffff, w[1] >>> 16, w[1] & 0xffff, w[2] >>> 16, w[2] & 0xffff, w[3] >>> 16, w[3] & 0xffff];
  if (isIPv4Mapped(w)) return `::ffff:${formatIPv4(w[3])}`;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexes = g.map((x) => x.toString(16));
  if (best < 0) return hexes.join(':');
  return `${hexes.slice(0, best).join(':')}::${hexes.slice(best + bestLen).join(':')}`;
}

/** A parsed address or block: IPv4 in `v4` (prefix 0–32), or IPv6 in `v6` (prefix 0–128). */
export type IpBlock = { readonly version: 4; readonly v4: number; readonly prefix: number } | { readonly version: 6; readonly v6: Uint32Array; readonly prefix: number };

/**
 * An address ("10.0.0.1", "2001:db8::1") or a CIDR block ("10.0.0.0/8", "2001:db8::/32"), or
 * undefined. Host bits below the prefix are allowed and ignored ("10.0.0.1/8" is 10.0.0.0/8). An
 * IPv4-mapped IPv6 block of prefix 96 or more becomes the IPv4 block it maps.
 */
export function parseIpBlock(text: string): IpBlock | undefined {
  const slash = text.indexOf('/');
  const end = slash < 0 ? text.length : slash;
  let prefix = -1;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    prefix = Number(p);
  }
  const v4 = parseIPv4(text, 0, end);
  if (v4 >= 0) {
    if (prefix > 32) return undefined;
    return { version: 4, v4, prefix: prefix < 0 ? 32 : prefix };
  }
  const v6 = new Uint32Array(4);
  if (!parseIPv6(text, v6, 0, end)) return undefined;
  if (prefix > 128) return undefined;
  if (prefix < 0) prefix = 128;
  if (isIPv4Mapped(v6) && prefix >= 96) return { version: 4, v4: v6[3], prefix: prefix - 96 };
  return { version: 6, v6, prefix };
}

/** The canonical text of an address or block (the prefix only when it is not a single address). */
export function formatIpBlock(b: IpBlock): string {
  if (b.version === 4) return b.prefix === 32 ? formatIPv4(b.v4) : `${formatIPv4(mask4(b.v4, b.prefix))}/${b.prefix}`;
  if (b.prefix === 128) return formatIPv6(b.v6);
  const w = new Uint32Array(4);
  mask6(b.v6, b.prefix, w, false);
  return `${formatIPv6(w)}/${b.prefix}`;
}

const mask4 = (a: number, prefix: number): number => (prefix === 0 ? 0 : (a & (0xffffffff << (32 - prefix))) >>> 0);
// Shifts count modulo 32 in JavaScript, so the /0 and /32 ends are spelled out.
const last4 = (a: number, prefix: number): number => (prefix === 0 ? 0xffffffff : prefix === 32 ? a >>> 0 : (a | (0xffffffff >>> prefix)) >>> 0);

/** The first (high = false) or last (high = true) address of w/prefix, into out. */
function mask6(w: Uint32Array, prefix: number, out: Uint32Array, high: boolean): void {
  for (let k = 0; k < 4; k++) {
    const bits = Math.min(32, Math.max(0, prefix - 32 * k));
    const keep = bits === 0 ? 0 : bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    out[k] = high ? (w[k] | ~keep) >>> 0 : (w[k] & keep) >>> 0;
  }
}

/** -1, 0, 1: a (at offset i) against b (at offset j), four words each. */
function cmp6(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  for (let k = 0; k < 4; k++) {
    if (a[i + k] !== b[j + k]) return a[i + k] < b[j + k] ? -1 : 1;
  }
  return 0;
}

/** True when b (at j) is a (at i) plus one, i.e. the ranges ending at a and starting at b touch. */
function adjacent6(a: Uint32Array, i: number, b: Uint32Array, j: number): boolean {
  const next = new Uint32Array(4);
  let carry = 1;
  for (let k = 3; k >= 0; k--) {
    const s = a[i + k] + carry;
    next[k] = s >>> 0;
    carry = s > 0xffffffff ? 1 : 0;
  }
  return carry === 0 && cmp6(next, 0, b, j) === 0;
}

const scratch6 = new Uint32Array(4);
const lo6 = new Uint32Array(4);
const hi6 = new Uint32Array(4);

/**
 * A compiled set of CIDR blocks. Build it once per behavior (the evaluation's compileCriteria does)
 * and ask it about many addresses.
 */
export class CidrSet {
  /** Sorted, disjoint, non-adjacent IPv4 ranges: starts[i]..ends[i] inclusive. */
  private readonly starts4: Float64Array;
  private readonly ends4: Float64Array;
  /** Sorted, disjoint IPv6 ranges, eight words each (first address, last address). */
  private readonly ranges6: Uint32Array;
  private readonly count6: number;

  /** Throws on text that is not an address or CIDR block. */
  constructor(cidrs: readonly string[]) {
    const r4: [number, number][] = [];
    const r6: Uint32Array[] = [];
    for (const text of cidrs) {
      const b = parseIpBlock(text);
      if (!b) throw new Error(`'${text}' is not a CIDR block`);
      if (b.version === 4) r4.push([mask4(b.v4, b.prefix), last4(b.v4, b.prefix)]);
      else {
        const r = new Uint32Array(8);
        mask6(b.v6, b.prefix, r.subarray(0, 4), false);
        mask6(b.v6, b.prefix, r.subarray(4, 8), true);
        r6.push(r);
      }
    }
    r4.sort((a, b) => a[0] - b[0]);
    const merged4: [number, number][] = [];
    for (const r of r4) {
      const top = merged4[merged4.length - 1];
      if (top && r[0] <= top[1] + 1) top[1] = Math.max(top[1], r[1]);
      else merged4.push([r[0], r[1]]);
    }
    this.starts4 = Float64Array.from(merged4, (r) => r[0]);
    this.ends4 = Float64Array.from(merged4, (r) => r[1]);

    r6.sort((a, b) => cmp6(a, 0, b, 0));
    const merged6: Uint32Array[] = [];
    for (const r of r6) {
      const top = merged6[merged6.length - 1];
      if (top && (cmp6(r, 0, top, 4) <= 0 || adjacent6(top, 4, r, 0))) {
        if (cmp6(r, 4, top, 4) > 0) top.set(r.subarray(4, 8), 4);
      } else merged6.push(Uint32Array.from(r));
    }
    this.ranges6 = new Uint32Array(merged6.length * 8);
    merged6.forEach((r, i) => this.ranges6.set(r, i * 8));
    this.count6 = merged6.length;
  }

  get empty(): boolean {
    return this.starts4.length === 0 && this.count6 === 0;
  }

  /** Index of the last IPv4 range starting at or before a, or -1. */
  private find4(a: number): number {
    let lo = 0;
    let hi = this.starts4.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts4[mid] <= a) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Index of the last IPv6 range starting at or before w (at offset i), or -1. */
  private find6(w: Uint32Array, i: number): number {
    let lo = 0;
    let hi = this.count6 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cmp6(this.ranges6, mid * 8, w, i) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The IPv4 range first..last lies inside the set. */
  covers4(first: number, last: number): boolean {
    const k = this.find4(first);
    return k >= 0 && this.ends4[k] >= last;
  }

  /** The IPv4 range first..last shares an address with the set. */
  meets4(first: number, last: number): boolean {
    const k = this.find4(last);
    return k >= 0 && this.ends4[k] >= first;
  }

  covers6(first: Uint32Array, last: Uint32Array): boolean {
    const k = this.find6(first, 0);
    return k >= 0 && cmp6(this.ranges6, k * 8 + 4, last, 0) >= 0;
  }

  meets6(first: Uint32Array, last: Uint32Array): boolean {
    const k = this.find6(last, 0);
    return k >= 0 && cmp6(this.ranges6, k * 8 + 4, first, 0) >= 0;
  }

  /**
   * Where an address or block of a datapoint stands against the set: 'in' when the set covers all
   * of it, 'out' when they share no address, 'partly' otherwise; 'invalid' for text that is
   * neither. Plain addresses (the usual case) are parsed without allocating.
   */
  locate(text: string): 'in' | 'out' | 'partly' | 'invalid' {
    let first4 = -1;
    let last4v = -1;
    if (text.indexOf('/') < 0) {
      const a = parseIPv4(text);
      if (a >= 0) first4 = last4v = a;
      else if (parseIPv6(text, scratch6)) {
        if (isIPv4Mapped(scratch6)) first4 = last4v = scratch6[3];
        else {
          const k = this.find6(scratch6, 0);
          return k >= 0 && cmp6(this.ranges6, k * 8 + 4, scratch6, 0) >= 0 ? 'in' : 'out';
        }
      } else return 'invalid';
    } else {
      const b = parseIpBlock(text);
      if (!b) return 'invalid';
      if (b.version === 4) {
        first4 = mask4(b.v4, b.prefix);
        last4v = last4(b.v4, b.prefix);
      } else {
        mask6(b.v6, b.prefix, lo6, false);
        mask6(b.v6, b.prefix, hi6, true);
        return this.covers6(lo6, hi6) ? 'in' : this.meets6(lo6, hi6) ? 'partly' : 'out';
      }
    }
    return this.covers4(first4, last4v) ? 'in' : this.meets4(first4, last4v) ? 'partly' : 'out';
  }
}

/**
 * "ip:port" as devices report a connection's remote address: IPv4 "a.b.c.d:port", IPv6
 * "[addr]:port" (AWS's Python agent) or "addr:port" split at the last colon; an IPv6 zone
 * ("%eth0") is accepted and dropped. Answers the canonical address text and the port (0–65535).
 */
export function parseHostPort(text: string): { address: string; port: number } | undefined {
  let addrStart = 0;
  let addrEnd: number;
  let portStart: number;
  if (text.charCodeAt(0) === 91) {
    const close = text.indexOf(']');
    if (close < 0 || text.charCodeAt(close + 1) !== 58) return undefined;
    addrStart = 1;
    addrEnd = close;
    portStart = close + 2;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return undefined;
    addrEnd = colon;
    portStart = colon + 1;
  }
  const portText = text.slice(portStart);
  if (!/^(0|[1-9][0-9]{0,4})$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  const v4 = parseIPv4(text, addrStart, addrEnd);
  if (v4 >= 0) return text.charCodeAt(0) === 91 ? undefined : { address: formatIPv4(v4), port };
  const zone = text.indexOf('%', addrStart);
  if (zone >= 0 && zone < addrEnd) {
    if (!/^[A-Za-z0-9._-]+$/.test(text.slice(zone + 1, addrEnd))) return undefined;
    addrEnd = zone;
  }
  const w = new Uint32Array(4);
  if (!parseIPv6(text, w, addrStart, addrEnd)) return undefined;
  return { address: isIPv4Mapped(w) ? formatIPv4(w[3]) : formatIPv6(w), port };
}
