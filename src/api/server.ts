import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { InvalidRequestException } from '../generated/errors.js';
import type { Metrics } from './metrics.js';
import type { AwsPipeline } from './pipeline.js';
import { errorResponse, type WireResponse } from './serialize.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** A request for Warden's own endpoints (/_warden/, /metrics, /console/), as the HTTP layer read it. */
export interface LocalRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  requestId: string;
}

/** A response of Warden's own endpoints: as an AWS one, but its body may be bytes (the console's files). */
export interface LocalResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/**
 * A part of the URI space outside AWS's that a folder of its own answers: src/admin/ (/_warden/ and
 * /metrics) and src/console/ (/console/). The HTTP layer does not know what is there.
 */
export interface LocalEndpoints {
  /** Whether a request for this URL (path and query) is this room's. */
  owns(url: string): boolean;
  /** The metrics label of a request (its route, or one label for every unknown path). */
  label(method: string, url: string): string;
  handle(req: LocalRequest): Promise<LocalResponse>;
}

/** Limits on connections, so slow or greedy clients cannot hold the server (README: Configuration). */
export interface HttpLimits {
  /** A request's headers must arrive within this time of its first byte (slowloris). */
  headersTimeoutMs: number;
  /** A whole request, body included, must arrive within this time. */
  requestTimeoutMs: number;
  /** Open connections from one client address; more are closed at once. */
  maxConnectionsPerClient: number;
}

export const DEFAULT_LIMITS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, maxConnectionsPerClient: 256 };

/** Headers a request may carry once; Node keeps the first of several, which would hide the others. */
const SINGLE_HEADERS = new Set(['authorization', 'host', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token']);

/** A header of SINGLE_HEADERS that the request repeats, if any. */
function repeatedHeader(raw: string[]): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (!SINGLE_HEADERS.has(name)) continue;
    if (seen.has(name)) return raw[i];
    seen.add(name);
  }
  return undefined;
}
const EMPTY = Buffer.alloc(0);

const internalFailure = (message: string): WireResponse => ({
  status: 500,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailureException' },
  body: JSON.stringify({ message }),
});

/**
 * The HTTP layer: reads the body (at most 1 MiB), sends the URLs a local room owns (/_warden/ and
 * /metrics to the admin handler, /console/ to the console's files) to it and everything else to the AWS pipeline, writes the response with a request id,
 * logs and measures it. Nothing here can crash the process.
 */
export function createHttpServer(pipeline: AwsPipeline, locals: readonly LocalEndpoints[], metrics: Metrics, log: Logger, limits: Partial<HttpLimits> = {}): http.Server {
  const l: HttpLimits = {
    headersTimeoutMs: limits.headersTimeoutMs ?? DEFAULT_LIMITS.headersTimeoutMs,
    requestTimeoutMs: limits.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs,
    maxConnectionsPerClient: limits.maxConnectionsPerClient ?? DEFAULT_LIMITS.maxConnectionsPerClient,
  };
  // Idle keep-alive connections stay open longer than clients keep them (Node's agents: 5 s), so a
  // client never sends on a connection the server is closing at the same moment (ECONNRESET).
  // Timeouts are checked every second (Node's default is every 30 s).
  const server = http.createServer({
    keepAliveTimeout: 65_000,
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: Math.max(l.requestTimeoutMs, l.headersTimeoutMs),
    connectionsCheckingInterval: Math.min(1000, l.headersTimeoutMs),
  }, (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const finish = (wire: WireResponse | LocalResponse, operation: string, accountId?: string, region?: string, close = false): void => {
      if (res.headersSent) return;
      const headers: Record<string, string | number> = wire.headers;
      headers['x-amzn-requestid'] = requestId;
      headers['content-length'] = Buffer.byteLength(wire.body);
      if (close) headers.connection = 'close';
      res.writeHead(wire.status, headers);
      res.end(wire.body);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observe(operation, wire.status, seconds);
      if (log.isLevelEnabled('info')) {
        log.info({ reqId: requestId, account: accountId, region, operation, status: wire.status, ms: Math.round(seconds * 1e6) / 1e3 }, 'request');
      }
    };
    const tooLarge = (): void =>
      finish(errorResponse(new InvalidRequestException(`The request body is larger than ${MAX_BODY_BYTES} bytes.`)), 'unknown', undefined, undefined, true);

    const repeated = repeatedHeader(req.rawHeaders);
    if (repeated) {
      return finish(errorResponse(new InvalidRequestException(`The request has more than one ${repeated} header; send it once.`)), 'unknown', undefined, undefined, true);
    }

    const dispatch = (body: Buffer): void => {
      const url = req.url ?? '/';
      const method = req.method ?? 'GET';
      const local = locals.find((l) => l.owns(url));
      if (local) {
        const label = local.label(method, url);
        local.handle({ method, url, headers: req.headers, body, requestId }).then(
          (wire) => finish(wire, label),
          (e) => {
            log.error({ reqId: requestId, err: e }, 'local endpoint failed');
            finish(internalFailure((e as Error).message), label);
          },
        );
        return;
      }
      pipeline.handle({ method, url, headers: req.headers, body, requestId }).then(
        (r) => finish(r.response, r.operation, r.accountId, r.region),
        (e) => {
          log.error({ reqId: requestId, err: e }, 'pipeline failed');
          finish(internalFailure('An internal error occurred.'), 'unknown');
        },
      );
    };

    const length = req.headers['content-length'];
    if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) {
      dispatch(EMPTY); // nothing to read: answer without waiting for the stream's end
      return;
    }
    if (Number(length ?? 0) > MAX_BODY_BYTES) return tooLarge();

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        if (!res.headersSent) tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (size <= MAX_BODY_BYTES) dispatch(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });

  // One client address holds at most maxConnectionsPerClient connections; more are closed at once.
  const perClient = new Map<string, number>();
  server.on('connection', (socket) => {
    const who = socket.remoteAddress ?? '';
    const n = (perClient.get(who) ?? 0) + 1;
    if (n > l.maxConnectionsPerClient) {
      log.warn({ client: who, limit: l.maxConnectionsPerClient }, 'connection refused: too many from one client');
      socket.destroy();
      return;
    }
    perClient.set(who, n);
    socket.once('close', () => {
      const left = (perClient.get(who) ?? 1) - 1;
      if (left <= 0) perClient.delete(who);
      else perClient.set(who, left);
    });
  });

  // Malformed HTTP never reaches the handler: answer a JSON 400 and close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    // Headers or a body slower than the limits (slowloris) end as 408; anything else unparsable as 400.
    const slow = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const body = JSON.stringify({
      message: slow ? `The request did not arrive in time (headers within ${l.headersTimeoutMs} ms, the whole request within ${Math.max(l.requestTimeoutMs, l.headersTimeoutMs)} ms).` : `Malformed HTTP request: ${err.code ?? err.message}`,
    });
    socket.end(
      `HTTP/1.1 ${slow ? '408 Request Timeout' : '400 Bad Request'}\r\ncontent-type: application/json\r\nx-amzn-errortype: ${slow ? 'RequestTimeoutException' : 'InvalidRequestException'}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    setTimeout(() => socket.destroy(), 1000).unref(); // a client that never reads the answer still loses the connection
  });
  return server;
}

export function addressOf(server: http.Server): { host: string; port: number } {
  const a = server.address() as AddressInfo;
  return { host: a.address, port: a.port };
}
