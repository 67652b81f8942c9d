import type { OperationModel, ServiceModel } from './model.js';
import { ServiceError } from './errors.js';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes an operation's output as the model binds it: header members to headers, the
 * payload member (if any) as the body, the rest as JSON. Absent members are omitted;
 * timestamps are epoch seconds as JSON numbers; blobs are base64.
 */
export class Serializer {
  constructor(private readonly model: ServiceModel) {}

  output(op: OperationModel, output: unknown): WireResponse {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!op.output || output === undefined || output === null) return { status: 200, headers, body: '{}' };
    const shape = this.model.shapes[op.output.shape];
    const members = shape.members ?? {};
    const src = output as Record<string, unknown>;
    let status = 200;
    if (shape.payload) {
      const v = src[shape.payload];
      return { status, headers, body: v === undefined ? '{}' : JSON.stringify(this.value(members[shape.payload].shape, v)) };
    }
    const body: Record<string, unknown> = {};
    for (const name in members) {
      const v = src[name];
      if (v === undefined || v === null) continue;
      const ref = members[name];
      if (ref.location === 'header') headers[(ref.locationName ?? name).toLowerCase()] = String(this.value(ref.shape, v));
      else if (ref.location === 'statusCode') status = Number(v);
      else body[name] = this.value(ref.shape, v);
    }
    return { status, headers, body: JSON.stringify(body) };
  }

  private value(shapeName: string, v: unknown): unknown {
    const shape = this.model.shapes[shapeName];
    switch (shape.type) {
      case 'structure': {
        const out: Record<string, unknown> = {};
        const src = v as Record<string, unknown>;
        for (const name in shape.members) {
          const m = src[name];
          if (m !== undefined && m !== null) out[name] = this.value(shape.members[name].shape, m);
        }
        return out;
      }
      case 'list':
        return (v as unknown[]).map((item) => this.value(shape.member!.shape, item));
      case 'map': {
        const out: Record<string, unknown> = {};
        const src = v as Record<string, unknown>;
        for (const k in src) if (src[k] !== undefined && src[k] !== null) out[k] = this.value(shape.value!.shape, src[k]);
        return out;
      }
      case 'timestamp':
        return v instanceof Date ? v.getTime() / 1000 : v;
      case 'blob':
        return Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
      default:
        return v;
    }
  }
}

/** The one place an error becomes HTTP: status from the shape, x-amzn-ErrorType, {message, ...members}. */
export function errorResponse(err: ServiceError): WireResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': err.code },
    body: JSON.stringify({ message: err.message, ...err.members }),
  };
}
