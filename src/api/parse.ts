import { InvalidRequestException } from '../generated/errors.js';
import type { MemberRef, OperationModel, ServiceModel, Shape } from './model.js';
import { formatViolations, isPlainObject, parseTimestamp, TIMESTAMP_CONSTRAINT, type Validator, type Violation } from './validate.js';

/** The parts of an HTTP request an operation's input is bound from. */
export interface WireRequest {
  labels: Readonly<Record<string, string>>;
  query: Map<string, string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Binds an operation's input from the request as the model's HTTP bindings say (uri labels,
 * query string, headers, JSON body or payload member), then validates the whole input.
 * Throws InvalidRequestException naming every violated member and constraint.
 */
export function parseInput(model: ServiceModel, validator: Validator, op: OperationModel, req: WireRequest): Record<string, unknown> {
  if (!op.input) return {};
  const shape = model.shapes[op.input.shape];
  const members = shape.members ?? {};
  const raw: Record<string, unknown> = {};
  const violations: Violation[] = [];
  let hasBodyMembers = false;

  for (const name in members) {
    const ref = members[name];
    switch (ref.location) {
      case 'uri': {
        const v = req.labels[ref.locationName ?? name];
        if (v !== undefined) put(raw, name, scalar(model, ref, v, name, violations));
        break;
      }
      case 'querystring': {
        const values = req.query.get(ref.locationName ?? name);
        if (values === undefined) break;
        const target = model.shapes[ref.shape];
        if (target.type === 'list') {
          raw[name] = values.map((v, i) => scalar(model, target.member!, v, `${name}.${i + 1}.member`, violations));
        } else {
          put(raw, name, scalar(model, ref, values[values.length - 1], name, violations));
        }
        break;
      }
      case 'header': {
        const h = req.headers[(ref.locationName ?? name).toLowerCase()];
        if (h !== undefined) put(raw, name, scalar(model, ref, Array.isArray(h) ? h.join(',') : h, name, violations));
        break;
      }
      case undefined:
        hasBodyMembers = true;
        break;
      default:
        break;
    }
  }

  if (shape.payload) {
    const ref = members[shape.payload];
    const body = parseJsonBody(req.body, model.shapes[ref.shape]);
    if (body !== undefined) raw[shape.payload] = body;
  } else if (hasBodyMembers) {
    const body = parseJsonBody(req.body, shape);
    if (body) for (const name in body) if (members[name] && !members[name].location) raw[name] = body[name];
  }

  const input = validator.structure(op.input.shape, raw, violations);
  if (violations.length) throw new InvalidRequestException(formatViolations(violations));
  return input;
}

/** A value that failed to convert is already reported; leave it out so it is not reported again as missing. */
function put(raw: Record<string, unknown>, name: string, value: unknown): void {
  if (value !== undefined) raw[name] = value;
}

/** How deep a request body's JSON may nest (objects and arrays); AWS IoT's deepest input is far shallower. */
export const MAX_JSON_DEPTH = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * A request body as JSON: nesting past MAX_JSON_DEPTH is refused before anything recursive (the
 * parser, the validator, the message builder) sees it, so no body can exhaust the stack.
 */
export function parseJson(body: Buffer): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) throw new InvalidRequestException(`The request body nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays.`);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new InvalidRequestException(`The request body is not valid JSON: ${(e as Error).message}`);
  }
}

function parseJsonBody(body: Buffer, shape: Shape): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  const parsed = parseJson(body);
  if (shape.type === 'structure' && !isPlainObject(parsed)) {
    throw new InvalidRequestException('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** Labels, query values and headers arrive as text; turn them into the member's type. */
function scalar(model: ServiceModel, ref: MemberRef, text: string, path: string, out: Violation[]): unknown {
  switch (model.shapes[ref.shape].type) {
    case 'integer':
    case 'long':
      if (/^-?\d+$/.test(text)) return Number(text);
      out.push({ path, value: text, constraint: 'Member must be an integer' });
      return undefined;
    case 'double':
    case 'float': {
      const n = Number(text);
      if (text.trim() !== '' && Number.isFinite(n)) return n;
      out.push({ path, value: text, constraint: 'Member must be a number' });
      return undefined;
    }
    case 'boolean':
      if (/^true$/i.test(text)) return true;
      if (/^false$/i.test(text)) return false;
      out.push({ path, value: text, constraint: 'Member must be a boolean (true or false)' });
      return undefined;
    case 'timestamp': {
      const d = parseTimestamp(text);
      if (d) return d;
      out.push({ path, value: text, constraint: TIMESTAMP_CONSTRAINT });
      return undefined;
    }
    default:
      return text;
  }
}

/** Splits a raw query string; keys and values are percent-decoded ('+' stays '+', as SigV4 clients encode spaces as %20). */
export function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decode(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decode(part.slice(eq + 1));
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new InvalidRequestException(`The query string parameter '${s}' is not valid percent-encoded UTF-8.`);
  }
}
