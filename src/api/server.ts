import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { handleAdmin, type AdminOptions } from '../admin/index.js';
import { InvalidRequestException } from '../generated/errors.js';
import type { Metrics } from './metrics.js';
import type { AwsPipeline } from './pipeline.js';
import { errorResponse, type WireResponse } from './serialize.js';

export const MAX_BODY_BYTES = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

const internalFailure = (message: string): WireResponse => ({
  status: 500,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailureException' },
  body: JSON.stringify({ message }),
});

/**
 * The HTTP layer: reads the body (at most 1 MiB), sends /_warden/ and /metrics to the admin
 * handler and everything else to the AWS pipeline, writes the response with a request id,
 * logs and measures it. Nothing here can crash the process.
 */
export function createHttpServer(pipeline: AwsPipeline, admin: AdminOptions, metrics: Metrics, log: Logger): http.Server {
  // Idle keep-alive connections stay open longer than clients keep them (Node's agents: 5 s), so a
  // client never sends on a connection the server is closing at the same moment (ECONNRESET).
  const server = http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const finish = (wire: WireResponse, operation: string, accountId?: string, region?: string, close = false): void => {
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

    const dispatch = (body: Buffer): void => {
      const url = req.url ?? '/';
      const method = req.method ?? 'GET';
      if (url.startsWith('/_warden/') || url === '/metrics') {
        const path = url.split('?')[0];
        handleAdmin({ method, url, headers: req.headers, body, requestId }, admin).then(
          (wire) => finish(wire, `warden:${path}`),
          (e) => {
            log.error({ reqId: requestId, err: e }, 'admin endpoint failed');
            finish(internalFailure((e as Error).message), `warden:${path}`);
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

  // Malformed HTTP never reaches the handler: answer a JSON 400 and close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = JSON.stringify({ message: `Malformed HTTP request: ${err.code ?? err.message}` });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: InvalidRequestException\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

export function addressOf(server: http.Server): { host: string; port: number } {
  const a = server.address() as AddressInfo;
  return { host: a.address, port: a.port };
}
