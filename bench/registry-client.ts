import { Agent, request as httpRequest } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * The fast signed client of `bench:registry`: one SigV4 signer and one keep-alive agent per
 * process, node:http directly (no SDK middleware), bodies as JSON strings.
 */
export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface Reply {
  status: number;
  body: string;
}

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Already URI-encoded path, e.g. `/things/t000001`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** Serialised JSON body. */
  body?: string;
}

/** RFC 3986 encoding, as SigV4 canonicalises query strings. */
export function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class SignedClient {
  private readonly signer = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: 'iot', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  private readonly agent: Agent;
  private readonly hostname: string;
  private readonly port: number;
  private readonly host: string;

  constructor(url: string, maxSockets = 32) {
    const u = new URL(url);
    this.hostname = u.hostname;
    this.port = Number(u.port);
    this.host = u.host;
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** The signed headers of a call and its path with the query string. */
  private async sign(call: Call): Promise<{ target: string; headers: Record<string, string> }> {
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) query[k] = v;
    const headers: Record<string, string> = { host: this.host };
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(call.body));
    }
    const signed = await this.signer.sign(
      new HttpRequest({ method: call.method, protocol: 'http:', hostname: this.hostname, port: this.port, path: call.path, query, headers, body: call.body }),
    );
    const qs = Object.entries(query)
      .map(([k, v]) => `${escapeUri(k)}=${escapeUri(v)}`)
      .join('&');
    return { target: qs ? `${call.path}?${qs}` : call.path, headers: signed.headers };
  }

  /** A signed call as the bytes of one HTTP/1.1 request (for a client that prepares its load ahead: raw-http.ts). */
  async signedBytes(call: Call): Promise<Buffer> {
    const { target, headers } = await this.sign(call);
    const head = `${call.method} ${target} HTTP/1.1\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`;
    return Buffer.from(head + (call.body ?? ''), 'utf8');
  }

  async send(call: Call): Promise<Reply> {
    const { target, headers } = await this.sign(call);
    return new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(
        { agent: this.agent, hostname: this.hostname, port: this.port, method: call.method, path: target, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (call.body !== undefined) req.end(call.body);
      else req.end();
    });
  }

  /** Sends and parses the JSON reply; throws on a non-2xx answer. */
  async json<T>(call: Call, what: string): Promise<T> {
    const r = await this.send(call);
    if (r.status < 200 || r.status >= 300) throw new Error(`${what} answered ${r.status}: ${r.body.slice(0, 500)}`);
    return (r.body ? JSON.parse(r.body) : {}) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Thing `i` of the bench: zero-padded names keep ListThings' name order equal to creation order. */
export function thingName(i: number): string {
  return `bench-${String(i).padStart(7, '0')}`;
}

export const COLORS = ['red', 'blue', 'green', 'yellow', 'black'] as const;

/** At most 3 attributes: AWS's limit for a thing without a thing type. */
export function thingAttributes(i: number): Record<string, string> {
  return { color: COLORS[i % COLORS.length], n: String(i % 1000), site: `s${i % 50}` };
}
