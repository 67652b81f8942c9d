// From option strings to the operation's input, as awscli/argprocess.py and paramfile.py do it:
// file:// and fileb:// values, shorthand for structures, maps and lists of them, JSON when the value
// starts with `{` or `[`, scalars typed by the model; then botocore's client-side validation
// (required members, types, minimums), so the same mistakes exit 252 before any request.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Shape } from '../../api/model.js';
import { UsageError, type ParsedCommand } from './args.js';
import { memberShape, type CliArg, type CliCommand } from './model.js';
import { backCompat, ConversionError, parseShorthand, ShorthandError, toFloat, toInt } from './shorthand.js';

export class ParamError extends UsageError {
  constructor(cliName: string, message: string) {
    super(`Error parsing parameter '${cliName}': ${message}`);
  }
}

/** Loads `file://` (text) and `fileb://` (bytes) values; others are returned unchanged. */
export function paramFile(value: string, cliName: string): string | Buffer | undefined {
  for (const prefix of ['file://', 'fileb://']) {
    if (!value.startsWith(prefix)) continue;
    const path = value.slice(prefix.length).replace(/^~(?=\/|$)/, homedir()).replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a, b) => process.env[a ?? b] ?? m);
    try {
      return prefix === 'file://' ? readFileSync(path, 'utf8') : readFileSync(path);
    } catch (e) {
      throw new ParamError(cliName, `Unable to load paramfile ${value}: ${(e as Error).message}`);
    }
  }
  return undefined;
}

function parseJson(value: string, cliName: string): unknown {
  try {
    return JSON.parse(value);
  } catch (e) {
    throw new ParamError(cliName, `Invalid JSON: ${(e as Error).message}\nJSON received: ${value}`);
  }
}

const complex = (s: Shape) => s.type === 'structure' || s.type === 'map' || (s.type === 'list' && ['structure', 'list', 'map'].includes(memberShape(s.member!).type));

function scalar(s: Shape, value: string | Buffer, cliName: string): unknown {
  try {
    switch (s.type) {
      case 'integer':
      case 'long':
        return toInt(String(value));
      case 'double':
      case 'float':
        return toFloat(String(value));
      case 'boolean':
        return !(typeof value === 'string' && value.toLowerCase() === 'false') && value !== '';
      default:
        return value;
    }
  } catch (e) {
    throw new ConversionError(`Error parsing parameter '${cliName}': ${(e as Error).message}`);
  }
}

function unpack(s: Shape, value: string | string[] | Buffer, cliName: string): unknown {
  if (Buffer.isBuffer(value)) return value;
  if (s.type === 'structure' || s.type === 'map') {
    const v = String(value);
    if (v.trimStart()[0] === '{') return parseJson(v, cliName);
    throw new ParamError(cliName, `Invalid JSON:\n${v}`);
  }
  if (s.type === 'list') {
    if (typeof value === 'string' && value.trimStart()[0] === '[') return parseJson(value, cliName);
    if (Array.isArray(value) && value.length === 1 && value[0].trim()[0] === '[') return parseJson(value[0], cliName);
    const items = typeof value === 'string' ? [...value] : value;
    return items.map((v) => unpack(memberShape(s.member!), v, cliName));
  }
  return scalar(s, value as string, cliName);
}

/** One option's value as the operation wants it. */
export function argValue(arg: CliArg, raw: string | string[] | boolean): unknown {
  const cliName = `--${arg.name}`;
  if (typeof raw === 'boolean') return raw;
  let value: string | string[] | Buffer = raw;
  const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof single === 'string') {
    const loaded = paramFile(single, cliName);
    if (loaded !== undefined) value = loaded;
  }
  const check = Array.isArray(value) ? value[0] : value;
  const looksJson = typeof check === 'string' && /^[[{]/.test(check.trim());
  if (!Buffer.isBuffer(value) && !looksJson && complex(arg.shape)) {
    try {
      const parsed = Array.isArray(value) ? value.map((v) => parseShorthand(v)) : parseShorthand(value);
      return backCompat(parsed, arg.shape);
    } catch (e) {
      if (e instanceof ShorthandError) throw new ParamError(cliName, e.message);
      if (e instanceof ConversionError) throw new ConversionError(`Error parsing parameter '${cliName}': ${e.message}`);
      throw e;
    }
  }
  return unpack(arg.shape, value, cliName);
}

/** The operation input: --cli-input-json/yaml first, then every option given on the line overrides it. */
export function buildInput(cmd: CliCommand, parsed: ParsedCommand, fromFile: Record<string, unknown> | undefined): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [arg, raw] of parsed.values) input[arg.member] = argValue(arg, raw);
  for (const [k, v] of Object.entries(fromFile ?? {})) if (!(k in input)) input[k] = v;
  return input;
}

const typeName = (v: unknown) =>
  v === null ? "<class 'NoneType'>" : Array.isArray(v) ? "<class 'list'>" : typeof v === 'string' ? "<class 'str'>" : typeof v === 'boolean' ? "<class 'bool'>" : typeof v === 'number' ? (Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>") : "<class 'dict'>";

/** botocore's ParamValidator: required members, unknown members, types, and `min` (never max, enum or pattern). */
export function validate(s: Shape, value: unknown, name: string, errors: string[]): void {
  const bad = (valid: string): void => void errors.push(`Invalid type for parameter ${name || 'input'}, value: ${show(value)}, type: ${typeName(value)}, valid types: ${valid}`);
  switch (s.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad("<class 'dict'>");
      const o = value as Record<string, unknown>;
      for (const r of s.required ?? []) if (o[r] === undefined) errors.push(`Missing required parameter in ${name || 'input'}: "${r}"`);
      for (const [k, v] of Object.entries(o)) {
        const ref = s.members?.[k];
        if (!ref) {
          errors.push(`Unknown parameter in ${name || 'input'}: "${k}", must be one of: ${Object.keys(s.members ?? {}).join(', ')}`);
          continue;
        }
        if (v !== undefined) validate(memberShape(ref), v, name ? `${name}.${k}` : k, errors);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) return bad("<class 'list'>, <class 'tuple'>");
      if (s.min !== undefined && value.length < s.min) errors.push(`Invalid length for parameter ${name}, value: ${value.length}, valid min length: ${s.min}`);
      value.forEach((v, i) => validate(memberShape(s.member!), v, `${name}[${i}]`, errors));
      return;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad("<class 'dict'>");
      for (const [k, v] of Object.entries(value)) {
        validate(memberShape(s.key!), k, name, errors);
        validate(memberShape(s.value!), v, `${name}.${k}`, errors);
      }
      return;
    case 'string':
      if (typeof value !== 'string') return bad("<class 'str'>");
      if (s.min !== undefined && value.length < s.min) errors.push(`Invalid length for parameter ${name}, value: ${value.length}, valid min length: ${s.min}`);
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad("<class 'int'>");
      if (s.min !== undefined && value < s.min) errors.push(`Invalid value for parameter ${name}, value: ${value}, valid min value: ${s.min}`);
      return;
    case 'double':
    case 'float':
      if (typeof value !== 'number') return bad("<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>");
      if (s.min !== undefined && value < s.min) errors.push(`Invalid value for parameter ${name}, value: ${value}, valid min value: ${s.min}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') return bad("<class 'bool'>");
      return;
    case 'timestamp':
      if (toDate(value) === undefined) bad("<class 'datetime.datetime'>, timestamp-string");
      return;
    case 'blob':
      if (typeof value !== 'string' && !Buffer.isBuffer(value)) bad("<class 'bytes'>, <class 'bytearray'>, file-like object");
      return;
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  return JSON.stringify(v);
}

export function toDate(v: unknown): Date | undefined {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v * 1000);
  if (typeof v !== 'string') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return new Date(Number(v) * 1000);
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) || !/T|\d:\d/.test(v) ? v : `${v}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The validated input in the SDK's types: timestamps as Date, blobs as bytes (base64 unless raw-in-base64-out). */
export function toSdk(s: Shape, value: unknown, rawBlobs: boolean): unknown {
  if (value === undefined || value === null) return value;
  switch (s.type) {
    case 'structure':
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toSdk(memberShape(s.members![k]), v, rawBlobs)]));
    case 'list':
      return (value as unknown[]).map((v) => toSdk(memberShape(s.member!), v, rawBlobs));
    case 'map':
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toSdk(memberShape(s.value!), v, rawBlobs)]));
    case 'timestamp':
      return toDate(value);
    case 'blob':
      return Buffer.isBuffer(value) ? new Uint8Array(value) : new Uint8Array(Buffer.from(value as string, rawBlobs ? 'utf8' : 'base64'));
    default:
      return value;
  }
}
