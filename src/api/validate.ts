import { randomUUID } from 'node:crypto';
import type { MemberRef, ServiceModel, Shape } from './model.js';
import { compileJavaPattern } from './java-pattern.js';

export { compileJavaPattern };

/**
 * Walks an input shape over a value that came off the wire: checks every constraint the
 * model states (required, type, length, size, range, pattern, enum), converts wire forms
 * (epoch-second timestamps, base64 blobs) into runtime values, drops members the model
 * does not declare, and fills absent idempotency tokens. Violations are data; `formatViolations`
 * words them the way AWS does.
 */
export interface Violation {
  path: string;
  value: unknown;
  constraint: string;
}

const NOT_NULL = 'Member must not be null';

export class Validator {
  private readonly patterns = new Map<string, RegExp | null>();

  constructor(private readonly model: ServiceModel) {}

  /** Validates and converts a structure; returns the converted value and collects violations. */
  structure(shapeName: string, value: Record<string, unknown>, out: Violation[], prefix = ''): Record<string, unknown> {
    return this.walk(shapeName, value, prefix, out) as Record<string, unknown>;
  }

  private walk(shapeName: string, value: unknown, path: string, out: Violation[]): unknown {
    const shape = this.model.shapes[shapeName];
    switch (shape.type) {
      case 'structure':
        return this.walkStructure(shape, value, path, out);
      case 'list': {
        if (!Array.isArray(value)) return bad(out, path, value, 'Member must be a list');
        this.size(shape, value.length, path, value, out);
        return value.map((item, i) => {
          const p = `${path}.${i + 1}.member`;
          if (item === null || item === undefined) return bad(out, p, null, NOT_NULL);
          return this.walk(shape.member!.shape, item, p, out);
        });
      }
      case 'map': {
        if (!isPlainObject(value)) return bad(out, path, value, 'Member must be a map');
        const keys = Object.keys(value);
        this.size(shape, keys.length, path, value, out);
        const result: Record<string, unknown> = {};
        for (const k of keys) {
          this.walk(shape.key!.shape, k, `${path}.${k}(key)`, out);
          const v = value[k];
          if (v === null || v === undefined) {
            bad(out, `${path}.${k}`, null, NOT_NULL);
            continue;
          }
          result[k] = this.walk(shape.value!.shape, v, `${path}.${k}`, out);
        }
        return result;
      }
      case 'string': {
        if (typeof value !== 'string') return bad(out, path, value, 'Member must be a string');
        this.size(shape, value.length, path, value, out, 'length');
        if (shape.enum && !shape.enum.includes(value)) {
          out.push({ path, value, constraint: `Member must satisfy enum value set: [${shape.enum.join(', ')}]` });
        }
        if (shape.pattern) {
          const re = this.pattern(shape.pattern);
          if (re && !re.test(value)) {
            out.push({ path, value, constraint: `Member must satisfy regular expression pattern: ${shape.pattern}` });
          }
        }
        return value;
      }
      case 'integer':
      case 'long': {
        if (typeof value !== 'number' || !Number.isInteger(value)) return bad(out, path, value, 'Member must be an integer');
        if (shape.type === 'integer' && (value > 2147483647 || value < -2147483648)) {
          return bad(out, path, value, 'Member must be a 32-bit integer');
        }
        this.range(shape, value, path, out);
        return value;
      }
      case 'double':
      case 'float': {
        if (typeof value !== 'number' || !Number.isFinite(value)) return bad(out, path, value, 'Member must be a number');
        this.range(shape, value, path, out);
        return value;
      }
      case 'boolean':
        if (typeof value !== 'boolean') return bad(out, path, value, 'Member must be a boolean');
        return value;
      case 'timestamp': {
        if (value instanceof Date) return value;
        const d = typeof value === 'number' ? epochSeconds(value) : typeof value === 'string' ? parseTimestamp(value) : undefined;
        if (d) return d;
        return bad(out, path, value, TIMESTAMP_CONSTRAINT);
      }
      case 'blob': {
        if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
          return bad(out, path, value, 'Member must be base64-encoded binary data');
        }
        const buf = Buffer.from(value, 'base64');
        this.size(shape, buf.length, path, value, out, 'length');
        return buf;
      }
      default:
        return value;
    }
  }

  private walkStructure(shape: Shape, value: unknown, path: string, out: Violation[]): unknown {
    if (!isPlainObject(value)) return bad(out, path, value, 'Member must be a structure (JSON object)');
    const result: Record<string, unknown> = {};
    const members = shape.members ?? {};
    for (const name in members) {
      const ref: MemberRef = members[name];
      const p = path ? `${path}.${name}` : name;
      let v = value[name];
      if (v === null || v === undefined) {
        if (ref.idempotencyToken) v = randomUUID();
        else {
          if (shape.required?.includes(name)) out.push({ path: p, value: null, constraint: NOT_NULL });
          continue;
        }
      }
      result[name] = this.walk(ref.shape, v, p, out);
    }
    return result;
  }

  private size(shape: Shape, n: number, path: string, value: unknown, out: Violation[], what = 'length'): void {
    if (shape.min !== undefined && n < shape.min) {
      out.push({ path, value, constraint: `Member must have ${what} greater than or equal to ${shape.min}` });
    }
    if (shape.max !== undefined && n > shape.max) {
      out.push({ path, value, constraint: `Member must have ${what} less than or equal to ${shape.max}` });
    }
  }

  private range(shape: Shape, n: number, path: string, out: Violation[]): void {
    if (shape.min !== undefined && n < shape.min) {
      out.push({ path, value: n, constraint: `Member must have value greater than or equal to ${shape.min}` });
    }
    if (shape.max !== undefined && n > shape.max) {
      out.push({ path, value: n, constraint: `Member must have value less than or equal to ${shape.max}` });
    }
  }

  private pattern(source: string): RegExp | null {
    let re = this.patterns.get(source);
    if (re === undefined) {
      re = compileJavaPattern(source);
      this.patterns.set(source, re);
    }
    return re;
  }
}

function bad(out: Violation[], path: string, value: unknown, constraint: string): undefined {
  out.push({ path, value, constraint });
  return undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);
}

/** ISO-8601 / RFC 3339 with 0 to 9 fractional digits, `Z` or an offset. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:?\d{2})$/;

/** Timestamps Warden accepts: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (epoch seconds -62135596800 to 253402300799.999). */
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_799_999;
export const TIMESTAMP_CONSTRAINT = 'Member must be a timestamp from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z (epoch seconds or ISO-8601)';

const inRange = (ms: number): Date | undefined => (Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS ? new Date(ms) : undefined);

/** Epoch seconds as a Date, or undefined outside the range above. */
export function epochSeconds(n: number): Date | undefined {
  return inRange(Math.round(n * 1000));
}

export function parseTimestamp(text: string): Date | undefined {
  const m = ISO.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
    if (+mo < 1 || +mo > 12 || +d < 1 || +h > 23 || +mi > 59 || +s > 60) return undefined;
    // setUTCFullYear, not Date.UTC, which reads years 0 to 99 as 1900 to 1999.
    let t = new Date(0).setUTCFullYear(+y, +mo - 1, +d) + ((+h * 60 + +mi) * 60 + +s) * 1000 + ms;
    if (new Date(t).getUTCDate() !== +d) return undefined; // 2024-02-31 and the like
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000;
    }
    return inRange(t);
  }
  if (/^-?\d+(\.\d+)?$/.test(text)) return epochSeconds(Number(text));
  return undefined;
}

function render(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `'${value.length > 256 ? `${value.slice(0, 256)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 256 ? `${json.slice(0, 256)}...` : json;
}

/** AWS's wording: "2 validation errors detected: Value 'x' at 'a.b' failed to satisfy constraint: ...; ..." */
export function formatViolations(violations: Violation[]): string {
  const n = violations.length;
  const parts = violations.map((v) => `Value ${render(v.value)} at '${v.path}' failed to satisfy constraint: ${v.constraint}`);
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`;
}
