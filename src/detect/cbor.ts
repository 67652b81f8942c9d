/**
 * A CBOR (RFC 8949) decoder for what Device Defender metrics reports carry, with no dependency.
 * One data item, and nothing after it, becomes a JavaScript value:
 * - unsigned and negative integers (major types 0 and 1, up to 64 bits): a number when it is a safe
 *   integer, else a bigint (the caller range-checks);
 * - byte strings: Uint8Array; text strings: string (UTF-8, checked); both also in indefinite-length
 *   chunks;
 * - arrays and maps, definite or indefinite length; a map becomes a plain object, so its keys must
 *   be text strings and must not repeat (RFC 8949 §5.6 calls a repeated key invalid);
 * - floats (half, single, double precision), true, false, null, undefined;
 * - tags 2 and 3 (bignums) become bigints; tag 55799 (the self-described CBOR prefix) is skipped;
 *   any other tag, and simple values other than false/true/null/undefined, are refused.
 * Anything malformed (a truncated item, a reserved additional-information value, a lone "break", a
 * chunk of the wrong type, nesting deeper than 64, bytes after the item) throws a CborError whose
 * message says what and at which byte offset.
 */

export class CborError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'CborError';
  }
}

const MAX_DEPTH = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const BREAK = Symbol('break');

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number, what: string): void {
    if (this.bytes.length - this.pos < n) throw new CborError(`Unexpected end of input: ${what} needs ${n} more byte${n === 1 ? '' : 's'}`, this.pos);
  }

  /** The argument of an initial byte (additional information 0–27); -1 for indefinite length (31). */
  private argument(info: number, start: number): number | bigint {
    if (info < 24) return info;
    switch (info) {
      case 24:
        this.need(1, 'a 1-byte argument');
        return this.bytes[this.pos++];
      case 25:
        this.need(2, 'a 2-byte argument');
        this.pos += 2;
        return this.view.getUint16(this.pos - 2);
      case 26:
        this.need(4, 'a 4-byte argument');
        this.pos += 4;
        return this.view.getUint32(this.pos - 4);
      case 27: {
        this.need(8, 'an 8-byte argument');
        const hi = this.view.getUint32(this.pos);
        const lo = this.view.getUint32(this.pos + 4);
        this.pos += 8;
        // 2^53 and above do not fit a number exactly.
        if (hi < 0x200000) return hi * 0x100000000 + lo;
        return (BigInt(hi) << 32n) | BigInt(lo);
      }
      case 31:
        return -1;
      default:
        throw new CborError(`Reserved additional information value ${info} in initial byte 0x${this.bytes[start].toString(16).padStart(2, '0')}`, start);
    }
  }

  /** A length (of a string, array or map) that must fit the remaining input; -1 for indefinite. */
  private length(info: number, start: number, perItem: number): number {
    const n = this.argument(info, start);
    if (n === -1) return -1;
    if (typeof n === 'bigint' || n * perItem > this.bytes.length - this.pos) {
      throw new CborError(`Declared length ${n} does not fit in the remaining ${this.bytes.length - this.pos} byte${this.bytes.length - this.pos === 1 ? '' : 's'}`, start);
    }
    return n;
  }

  /** One data item; the "break" marker only where an indefinite-length item allows it. */
  item(depth: number, breakAllowed = false): unknown {
    const at = this.pos;
    const v = this.any(depth);
    if (v === BREAK && !breakAllowed) throw new CborError('A break (0xff) outside an indefinite-length item', at);
    return v;
  }

  private any(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new CborError(`Nesting deeper than ${MAX_DEPTH} levels`, this.pos);
    const start = this.pos;
    this.need(1, 'a data item');
    const initial = this.bytes[this.pos++];
    const major = initial >> 5;
    const info = initial & 31;
    switch (major) {
      case 0: {
        if (info === 31) throw new CborError('An unsigned integer cannot have indefinite length', start);
        return this.argument(info, start);
      }
      case 1: {
        if (info === 31) throw new CborError('A negative integer cannot have indefinite length', start);
        const n = this.argument(info, start);
        if (typeof n === 'bigint') return -1n - n;
        const v = -1 - n;
        return Number.isSafeInteger(v) ? v : -1n - BigInt(n);
      }
      case 2:
      case 3:
        return this.string(major, info, start);
      case 4: {
        const n = this.length(info, start, 1);
        const out: unknown[] = [];
        if (n >= 0) {
          for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
          return out;
        }
        for (;;) {
          const v = this.item(depth + 1, true);
          if (v === BREAK) return out;
          out.push(v);
        }
      }
      case 5: {
        const n = this.length(info, start, 2);
        const out: Record<string, unknown> = {};
        if (n >= 0) {
          for (let i = 0; i < n; i++) this.entry(out, depth, false);
          return out;
        }
        while (this.entry(out, depth, true));
        return out;
      }
      case 6:
        return this.tag(info, start, depth);
      default:
        return this.simple(info, start);
    }
  }

  /** One key/value pair into out; false at the "break" of an indefinite-length map. */
  private entry(out: Record<string, unknown>, depth: number, indefinite: boolean): boolean {
    const at = this.pos;
    const key = this.item(depth + 1, indefinite);
    if (key === BREAK) return false;
    if (typeof key !== 'string') throw new CborError(`A map key must be a text string, not ${describe(key)}`, at);
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new CborError(`The map key '${key}' appears twice`, at);
    const value = this.item(depth + 1);
    // A key named __proto__ is a key, not the object's prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
    return true;
  }

  private string(major: 2 | 3, info: number, start: number): string | Uint8Array {
    const n = this.length(info, start, 1);
    if (n >= 0) {
      const raw = this.bytes.subarray(this.pos, this.pos + n);
      this.pos += n;
      return major === 2 ? new Uint8Array(raw) : this.text(raw, start);
    }
    // Indefinite length: definite-length chunks of the same major type until "break".
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const at = this.pos;
      this.need(1, 'a string chunk or break');
      const b = this.bytes[this.pos++];
      if (b === 0xff) break;
      if (b >> 5 !== major || (b & 31) === 31) throw new CborError(`A chunk of an indefinite-length ${major === 2 ? 'byte' : 'text'} string must be a definite-length ${major === 2 ? 'byte' : 'text'} string`, at);
      const len = this.length(b & 31, at, 1);
      const chunk = this.bytes.subarray(this.pos, this.pos + len);
      this.pos += len;
      // Each text chunk is valid UTF-8 on its own (RFC 8949 §3.2.3).
      if (major === 3) this.text(chunk, at);
      chunks.push(chunk);
      total += len;
    }
    const all = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      all.set(c, off);
      off += c.length;
    }
    return major === 2 ? all : this.text(all, start);
  }

  private text(raw: Uint8Array, start: number): string {
    // Short ASCII strings (map keys, mostly) without the TextDecoder.
    if (raw.length <= 32) {
      let ascii = true;
      for (let i = 0; i < raw.length; i++) {
        if (raw[i] >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, raw as unknown as number[]);
    }
    try {
      return utf8.decode(raw);
    } catch {
      throw new CborError('A text string is not valid UTF-8', start);
    }
  }

  private tag(info: number, start: number, depth: number): unknown {
    if (info === 31) throw new CborError('A tag cannot have indefinite length', start);
    const tag = this.argument(info, start);
    if (tag === 55799) return this.item(depth + 1);
    if (tag === 2 || tag === 3) {
      const at = this.pos;
      const content = this.item(depth + 1);
      if (!(content instanceof Uint8Array)) throw new CborError(`Tag ${tag} (bignum) must hold a byte string`, at);
      let n = 0n;
      for (const b of content) n = (n << 8n) | BigInt(b);
      const v = tag === 2 ? n : -1n - n;
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    throw new CborError(`Unsupported tag ${tag}`, start);
  }

  private simple(info: number, start: number): unknown {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 24: {
        this.need(1, 'a simple value');
        const v = this.bytes[this.pos++];
        // RFC 8949 §3.3: a one-byte simple value below 32 is not well-formed.
        if (v < 32) throw new CborError(`Simple value ${v} must be encoded in the initial byte`, start);
        throw new CborError(`Unsupported simple value ${v}`, start);
      }
      case 25: {
        this.need(2, 'a half-precision float');
        const h = this.view.getUint16(this.pos);
        this.pos += 2;
        return half(h);
      }
      case 26:
        this.need(4, 'a single-precision float');
        this.pos += 4;
        return this.view.getFloat32(this.pos - 4);
      case 27:
        this.need(8, 'a double-precision float');
        this.pos += 8;
        return this.view.getFloat64(this.pos - 8);
      case 28:
      case 29:
      case 30:
        throw new CborError(`Reserved additional information value ${info} in initial byte 0x${(0xe0 | info).toString(16)}`, start);
      case 31:
        return BREAK;
      default:
        throw new CborError(`Unsupported simple value ${info}`, start);
    }
  }
}

/** IEEE 754 half precision to a number (RFC 8949 Appendix D). */
function half(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (mant + 1024) * 2 ** (exp - 25);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return 'a byte string';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'a map' : `a ${typeof v}`;
}

/** Decodes exactly one CBOR data item from bytes; throws CborError on anything malformed or left over. */
export function decodeCbor(bytes: Uint8Array): unknown {
  const r = new Reader(bytes);
  const value = r.item(0);
  if (r.pos !== bytes.length) throw new CborError(`${bytes.length - r.pos} trailing byte${bytes.length - r.pos === 1 ? '' : 's'} after the data item`, r.pos);
  return value;
}

/** A CBOR head: major type and argument, in the shortest form (RFC 8949 §4.2.1 preferred serialization). */
function head(major: number, n: number, out: number[]): void {
  const m = major << 5;
  if (n < 24) out.push(m | n);
  else if (n < 0x100) out.push(m | 24, n);
  else if (n < 0x10000) out.push(m | 25, n >> 8, n & 0xff);
  else if (n < 0x100000000) out.push(m | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else {
    const hi = Math.floor(n / 0x100000000);
    out.push(m | 27, (hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff);
    const lo = n % 0x100000000;
    out.push((lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
  }
}

/**
 * Encodes what the metrics topics' answers carry (src/detect/detector.ts ReportAnswer): maps with
 * text keys, text strings, safe integers, booleans, null, arrays. Anything else throws.
 */
export function encodeCbor(value: unknown): Uint8Array {
  const out: number[] = [];
  const put = (v: unknown): void => {
    if (v === null) out.push(0xf6);
    else if (v === true) out.push(0xf5);
    else if (v === false) out.push(0xf4);
    else if (typeof v === 'number' && Number.isSafeInteger(v)) head(v < 0 ? 1 : 0, v < 0 ? -1 - v : v, out);
    else if (typeof v === 'string') {
      const b = Buffer.from(v, 'utf8');
      head(3, b.length, out);
      for (const x of b) out.push(x);
    } else if (Array.isArray(v)) {
      head(4, v.length, out);
      v.forEach(put);
    } else if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      head(5, entries.length, out);
      for (const [k, x] of entries) {
        put(k);
        put(x);
      }
    } else throw new Error(`encodeCbor: cannot encode ${typeof v}`);
  };
  put(value);
  return Uint8Array.from(out);
}
