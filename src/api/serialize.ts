import type { OperationModel, ServiceModel } from './model.js';
import { ServiceError } from '../base/errors.js';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Turns one value of a shape into its JSON form; undefined where the value is written as it is. */
type Converter = ((v: unknown) => unknown) | undefined;

/** How one operation's output goes on the wire, worked out once from the model. */
interface OutputPlan {
  payload?: { name: string; convert: Converter };
  body: { names: string[]; converters: Converter[] };
  headers: { name: string; wireName: string; convert: Converter }[];
  statusCode?: string;
}

/**
 * Writes an operation's output as the model binds it: header members to headers, the
 * payload member (if any) as the body, the rest as JSON. Absent members are omitted;
 * timestamps are epoch seconds as JSON numbers; blobs are base64. Each operation's plan and
 * each shape's converter are built from the model once, on first use.
 */
export class Serializer {
  private readonly plans = new Map<string, OutputPlan>();
  private readonly converters = new Map<string, Converter>();

  constructor(private readonly model: ServiceModel) {}

  output(op: OperationModel, output: unknown): WireResponse {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!op.output || output === undefined || output === null) return { status: 200, headers, body: '{}' };
    const plan = this.plan(op.output.shape);
    const src = output as Record<string, unknown>;
    if (plan.payload) {
      const v = src[plan.payload.name];
      return { status: 200, headers, body: v === undefined ? '{}' : JSON.stringify(convert(plan.payload.convert, v)) };
    }
    let status = 200;
    if (plan.statusCode !== undefined && src[plan.statusCode] !== undefined && src[plan.statusCode] !== null) status = Number(src[plan.statusCode]);
    for (const h of plan.headers) {
      const v = src[h.name];
      if (v !== undefined && v !== null) headers[h.wireName] = String(convert(h.convert, v));
    }
    return { status, headers, body: JSON.stringify(pick(src, plan.body.names, plan.body.converters)) };
  }

  private plan(shapeName: string): OutputPlan {
    let plan = this.plans.get(shapeName);
    if (plan) return plan;
    const shape = this.model.shapes[shapeName];
    const members = shape.members ?? {};
    plan = { body: { names: [], converters: [] }, headers: [] };
    if (shape.payload) plan.payload = { name: shape.payload, convert: this.converter(members[shape.payload].shape) };
    for (const name in members) {
      const ref = members[name];
      if (ref.location === 'header') plan.headers.push({ name, wireName: (ref.locationName ?? name).toLowerCase(), convert: this.converter(ref.shape) });
      else if (ref.location === 'statusCode') plan.statusCode = name;
      else {
        plan.body.names.push(name);
        plan.body.converters.push(this.converter(ref.shape));
      }
    }
    this.plans.set(shapeName, plan);
    return plan;
  }

  private converter(shapeName: string): Converter {
    if (this.converters.has(shapeName)) return this.converters.get(shapeName);
    const shape = this.model.shapes[shapeName];
    let built: Converter;
    // A shape that contains itself finds this stand-in while its own converter is being built.
    this.converters.set(shapeName, (v) => convert(built, v));
    switch (shape.type) {
      case 'structure': {
        const names = Object.keys(shape.members ?? {});
        const converters = names.map((name) => this.converter(shape.members![name].shape));
        built = (v) => pick(v as Record<string, unknown>, names, converters);
        break;
      }
      case 'list': {
        const item = this.converter(shape.member!.shape);
        built = (v) => (v as unknown[]).map((x) => convert(item, x));
        break;
      }
      case 'map': {
        const value = this.converter(shape.value!.shape);
        built = (v) => {
          const out: Record<string, unknown> = {};
          const src = v as Record<string, unknown>;
          for (const k in src) if (src[k] !== undefined && src[k] !== null) out[k] = convert(value, src[k]);
          return out;
        };
        break;
      }
      case 'timestamp':
        built = (v) => (v instanceof Date ? v.getTime() / 1000 : v);
        break;
      case 'blob':
        built = (v) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v);
        break;
      default:
        built = undefined;
    }
    this.converters.set(shapeName, built);
    return built;
  }
}

const convert = (c: Converter, v: unknown): unknown => (c ? c(v) : v);

/** The model's members of a structure that are set, converted; anything else on `src` is left out. */
function pick(src: Record<string, unknown>, names: string[], converters: Converter[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    const v = src[names[i]];
    if (v !== undefined && v !== null) out[names[i]] = convert(converters[i], v);
  }
  return out;
}

/** The one place an error becomes HTTP: status from the shape, x-amzn-ErrorType, {message, ...members}. */
export function errorResponse(err: ServiceError): WireResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': err.code },
    body: JSON.stringify({ message: err.message, ...err.members }),
  };
}
