import type { Logger } from 'pino';
import type { Clock } from '../api/clock.js';
import type { Context } from '../api/context.js';
import { ServiceError } from '../api/errors.js';
import type { Metrics } from '../api/metrics.js';
import { parseQuery } from '../api/parse.js';
import { errorResponse, type WireResponse } from '../api/serialize.js';
import type { SigV4Verifier } from '../api/sigv4.js';
import { InternalFailureException, InvalidRequestException } from '../generated/errors.js';
import { schemaVersion } from '../store/migrations/index.js';
import type { Store } from '../store/store.js';
import { VERSION } from '../version.js';
import { signedRoutes } from './signed.js';
import { snsMessages } from './sns-messages.js';

export interface AdminOptions {
  store: Store;
  metrics: Metrics;
  enableReset: boolean;
  verifier: SigV4Verifier;
  clock: Clock;
  log: Logger;
  wakeEngine?: () => void;
}

export interface AdminRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  requestId: string;
}

/**
 * A Warden endpoint that acts on an account's state: SigV4-signed like an AWS request, scoped
 * to the caller's account and region, JSON in and out. `query` holds the query string.
 */
export type SignedHandler = (input: { body: unknown; query: Map<string, string[]> }, ctx: Context) => Promise<unknown>;

const json = (status: number, body: unknown, errorType?: string): WireResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) },
  body: JSON.stringify(body),
});

/** Warden's own endpoints under /_warden/ (and /metrics): never part of the AWS URI space. */
export async function handleAdmin(req: AdminRequest, opts: AdminOptions): Promise<WireResponse> {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const { method } = req;
  if (path === '/metrics' && method === 'GET') {
    return { status: 200, headers: { 'content-type': opts.metrics.registry.contentType }, body: await opts.metrics.text() };
  }
  const signed = signedRoutes[`${method} ${path}`];
  if (signed) return runSigned(signed, req, path, q < 0 ? '' : req.url.slice(q + 1), opts);
  switch (`${method} ${path}`) {
    case 'GET /_warden/health':
      try {
        await opts.store.health();
        return json(200, { status: 'ok', database: 'ok', backend: opts.store.dialect });
      } catch (e) {
        return json(503, { status: 'unavailable', database: (e as Error).message, backend: opts.store.dialect });
      }
    case 'GET /_warden/version':
      return json(200, {
        name: 'warden',
        version: VERSION,
        apiVersion: '2015-05-28',
        backend: opts.store.dialect,
        schemaVersion: await schemaVersion(opts.store.db),
      });
    case 'GET /_warden/sns/messages':
      return snsMessages(q < 0 ? '' : req.url.slice(q + 1), opts.store);
    case 'POST /_warden/reset':
      if (!opts.enableReset) {
        return json(403, { message: 'Reset is disabled; start Warden with --enable-reset to allow it.' }, 'AccessDeniedException');
      }
      await opts.store.reset();
      return json(200, { reset: true });
    default:
      return json(404, { message: `No Warden endpoint ${method} ${path}` }, 'UnknownOperationException');
  }
}

async function runSigned(handler: SignedHandler, req: AdminRequest, path: string, rawQuery: string, opts: AdminOptions): Promise<WireResponse> {
  try {
    const query = parseQuery(rawQuery);
    const principal = await opts.verifier.verify({ method: req.method, rawPath: path, query, headers: req.headers, body: req.body });
    let body: unknown;
    if (req.body.length) {
      try {
        body = JSON.parse(req.body.toString('utf8'));
      } catch (e) {
        throw new InvalidRequestException(`The request body is not valid JSON: ${(e as Error).message}`);
      }
    }
    const ctx: Context = {
      requestId: req.requestId,
      operation: `warden:${path}`,
      accountId: principal.accountId,
      region: principal.region,
      store: opts.store,
      clock: opts.clock,
      log: opts.log,
      wakeEngine: opts.wakeEngine ?? (() => undefined),
    };
    return json(200, (await handler({ body, query }, ctx)) ?? {});
  } catch (e) {
    if (e instanceof ServiceError) return errorResponse(e);
    opts.log.error({ reqId: req.requestId, err: e }, 'warden endpoint failed');
    return errorResponse(new InternalFailureException(`An internal error occurred (request ${req.requestId}).`));
  }
}
