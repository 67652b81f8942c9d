import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import assert from 'node:assert/strict';
import { IoTClient, IoTServiceException } from '@aws-sdk/client-iot';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { after, before } from 'node:test';
import pg from 'pg';
import { projectRoot } from '../src/base/paths.js';
import { Store } from '../src/store/store.js';

export const ROOT = projectRoot();
export const PG_BASE = process.env.WARDEN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = ['sqlite', 'postgres'];

/** A fresh PostgreSQL schema name for one test, so runs never collide. */
export function freshSchema(): string {
  return `wt_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A Store of its own on `backend` for the enclosing describe: opened before its tests (handed to
 * `use`), closed after them, its folder and PostgreSQL schema removed.
 */
export function useStore(backend: Backend, prefix: string, use: (store: Store) => void): void {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const schema = freshSchema();
  let store: Store | undefined;
  before(async () => {
    store = await Store.open({ dataDir, databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined });
    use(store);
  });
  after(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (backend === 'postgres') await dropSchema(schema);
  });
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_BASE });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}

export interface Running {
  url: string;
  proc: ChildProcess;
  output: string[];
  dataDir: string;
  databaseUrl?: string;
  /** Settles with the exit code when the process ends. */
  exited: Promise<number | null>;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Removes the data folder or drops the schema. */
  cleanup(): Promise<void>;
}

export interface StartOptions {
  backend?: Backend;
  args?: string[];
  env?: Record<string, string>;
  dataDir?: string;
  databaseUrl?: string;
  /** Keep the data when stopping (for restart tests). */
  keep?: boolean;
  /** Leave out --enable-reset. */
  noReset?: boolean;
}

/** Starts a real `warden serve` process on a free port and waits for its ready line. */
export async function startServer(opts: StartOptions = {}): Promise<Running> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'warden-test-'));
  let databaseUrl = opts.databaseUrl;
  let schema: string | undefined;
  if (!databaseUrl && opts.backend === 'postgres') {
    schema = freshSchema();
    databaseUrl = `${PG_BASE}?schema=${schema}`;
  }
  const args = ['bin/warden.js', 'serve', '--port', '0', '--data-dir', dataDir, ...(opts.noReset ? [] : ['--enable-reset']), '--log-level', 'warn', ...(opts.args ?? [])];
  // The broker's default port 8883 would be fought over by test processes run side by side.
  if (!args.includes('--mqtt-port')) args.push('--no-mqtt');
  if (databaseUrl) args.push('--database-url', databaseUrl);
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      output.push(line);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]);
    });
    createInterface({ input: proc.stderr! }).on('line', (line) => output.push(line));
    exited.then((code) => reject(new Error(`warden exited with ${code} before it was ready:\n${output.join('\n')}`)));
  });
  const stop = async (): Promise<number | null> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    return exited;
  };
  return {
    url,
    proc,
    output,
    dataDir,
    databaseUrl,
    exited,
    stop,
    async cleanup() {
      await stop();
      if (!opts.keep) {
        rmSync(dataDir, { recursive: true, force: true });
        if (schema) await dropSchema(schema);
      }
    },
  };
}

export function iot(url: string, creds = DEFAULT_CREDS, region = 'us-east-1'): IoTClient {
  return new IoTClient({ endpoint: url, region, credentials: creds, maxAttempts: 1 });
}

export interface RawRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  region?: string;
  service?: string;
  creds?: { accessKeyId: string; secretAccessKey: string };
  date?: Date;
  /** Send without signing. */
  unsigned?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** Sends one request signed with SigV4 (or not), for what SDKs will not send. */
export async function raw(url: string, r: RawRequest): Promise<RawResponse> {
  const u = new URL(url);
  const headers: Record<string, string> = { host: u.host, ...(r.headers ?? {}) };
  const body = r.body === undefined ? undefined : typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  if (body) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(body.length);
  }
  let req = new HttpRequest({ method: r.method, protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: r.path, query: r.query, headers, body });
  if (!r.unsigned) {
    const signer = new SignatureV4({
      credentials: r.creds ?? DEFAULT_CREDS,
      region: r.region ?? 'us-east-1',
      service: r.service ?? 'iot',
      sha256: Hash.bind(null, 'sha256'),
    });
    req = (await signer.sign(req, { signingDate: r.date })) as HttpRequest;
  }
  const qs = r.query ? `?${Object.entries(r.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
  const res = await fetch(`${url}${r.path}${qs}`, { method: r.method, headers: req.headers, body: body ? new Uint8Array(body) : undefined });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** GET /_warden/sns/messages, signed (by default as account 000000000000 in us-east-1); `query` as in a URL ('?topicArn=...&limit=2'). */
export function snsMessages(url: string, query = '', opts: Pick<RawRequest, 'creds' | 'region'> = {}): Promise<RawResponse> {
  return raw(url, { method: 'GET', path: '/_warden/sns/messages', query: Object.fromEntries(new URLSearchParams(query.replace(/^\?/, ''))), ...opts });
}

/** POST /_warden/reset (the server runs with --enable-reset); content-type application/json, as a page cannot send it. */
export async function reset(url: string): Promise<void> {
  const res = await fetch(`${url}/_warden/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  if (res.status !== 200) throw new Error(`reset failed: ${res.status} ${await res.text()}`);
}

/** Runs a command; resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(cmd: string, args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(opts.input ?? '');
  });
}

export const sampleActionParams = { updateDeviceCertificateParams: { action: 'DEACTIVATE' as const } };
export const ROLE = 'arn:aws:iam::000000000000:role/warden-mitigation';

/** Awaits a call that must fail with a modeled IoT error and returns that error. */
export async function failure(p: Promise<unknown>): Promise<IoTServiceException & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof IoTServiceException, `expected a modeled IoT error, got ${e}`);
    return e as IoTServiceException & Record<string, unknown>;
  }
  assert.fail('expected the call to fail');
}

/** A call must fail with this error name and HTTP status (and a message matching `message`). */
export async function assertFails(p: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  const e = await failure(p);
  assert.equal(e.name, name, e.message);
  assert.equal(e.$metadata.httpStatusCode, status);
  if (message) assert.match(e.message, message);
}
