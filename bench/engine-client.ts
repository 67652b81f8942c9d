import { Agent, request as httpRequest } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { CREDENTIALS, escapeUri, REGION, type Call, type Reply } from './registry-client.js';

/**
 * `bench:engine`'s signed client: registry-client's SignedClient plus extra signed headers
 * (AttachThingPrincipal names its principal in `x-amzn-principal`) and several nodes, taken in
 * turn. One SigV4 signer, one keep-alive agent per node (idle sockets closed after 4 s, before the
 * server's 5 s keep-alive timeout could reset one under a request), node:http directly.
 */
export interface EngineCall extends Call {
  headers?: Record<string, string>;
}

interface Node {
  hostname: string;
  port: number;
  host: string;
  agent: Agent;
}

export class EngineClient {
  private readonly signer = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: 'iot', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  private readonly nodes: Node[];
  private turn = 0;

  constructor(urls: string[], maxSockets = 32) {
    this.nodes = urls.map((url) => {
      const u = new URL(url);
      return { hostname: u.hostname, port: Number(u.port), host: u.host, agent: new Agent({ keepAlive: true, maxSockets, timeout: 4000 }) };
    });
  }

  /** Sends to `node` (an index into the urls), or to the next node in turn. */
  async send(call: EngineCall, node?: number): Promise<Reply> {
    const n = this.nodes[(node ?? this.turn++) % this.nodes.length];
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) query[k] = v;
    const headers: Record<string, string> = { host: n.host, ...call.headers };
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(call.body));
    }
    const signed = await this.signer.sign(new HttpRequest({ method: call.method, protocol: 'http:', hostname: n.hostname, port: n.port, path: call.path, query, headers, body: call.body }));
    const qs = Object.entries(query)
      .map(([k, v]) => `${escapeUri(k)}=${escapeUri(v)}`)
      .join('&');
    return new Promise<Reply>((resolve, reject) => {
      const req = httpRequest({ agent: n.agent, hostname: n.hostname, port: n.port, method: call.method, path: qs ? `${call.path}?${qs}` : call.path, headers: signed.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(call.body);
    });
  }

  /** Sends and parses the JSON reply; throws on a non-2xx answer. */
  async json<T>(call: EngineCall, what: string, node?: number): Promise<T> {
    const r = await this.send(call, node);
    if (r.status < 200 || r.status >= 300) throw new Error(`${what} answered ${r.status}: ${r.body.slice(0, 500)}`);
    return (r.body ? JSON.parse(r.body) : {}) as T;
  }

  close(): void {
    for (const n of this.nodes) n.agent.destroy();
  }
}

/** Sorted-sample percentiles, rounded to microseconds. */
export function latencySummary(samples: number[]): { count: number; p50Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
  const s = Float64Array.from(samples).sort();
  const at = (p: number): number => (s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : 0);
  const r3 = (n: number): number => Math.round(n * 1000) / 1000;
  let sum = 0;
  for (const v of s) sum += v;
  return { count: s.length, p50Ms: r3(at(50)), p99Ms: r3(at(99)), maxMs: r3(s.length ? s[s.length - 1] : 0), meanMs: r3(s.length ? sum / s.length : 0) };
}
