import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../base/paths.js';

/** The AWS model as data (botocore layout). Everything protocol-related walks these types. */
export interface MemberRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
  idempotencyToken?: boolean;
  deprecated?: boolean;
}

export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'double' | 'timestamp' | 'blob' | 'float';
  members?: Record<string, MemberRef>;
  required?: string[];
  payload?: string;
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  exception?: boolean;
  error?: { httpStatusCode?: number };
}

export interface OperationModel {
  name: string;
  http: { method: string; requestUri: string };
  input?: { shape: string };
  output?: { shape: string };
  errors?: { shape: string }[];
}

export interface ServiceModel {
  metadata: Record<string, unknown>;
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

export interface Paginator {
  input_token: string | string[];
  output_token: string | string[];
  limit_key?: string;
  result_key?: string | string[];
}

let cached: ServiceModel | undefined;

export function loadModel(): ServiceModel {
  if (!cached) {
    cached = JSON.parse(readFileSync(join(projectRoot(), 'model', 'iot-2015-05-28.json'), 'utf8')) as ServiceModel;
  }
  return cached;
}

export function loadPaginators(): Record<string, Paginator> {
  const raw = JSON.parse(readFileSync(join(projectRoot(), 'model', 'iot-paginators.json'), 'utf8')) as {
    pagination: Record<string, Paginator>;
  };
  return raw.pagination;
}
