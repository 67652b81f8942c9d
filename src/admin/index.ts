import type { Logger } from 'pino';
import type { Clock } from '../base/clock.js';
import type { Context, DetectHooks } from '../context/context.js';
import type { Detector } from '../detect/detector.js';
import { postDeviceMetrics, DEVICE_METRICS_PATH } from './device-metrics.js';
import { ServiceError } from '../base/errors.js';
import type { Metrics } from '../api/metrics.js';
import { parseJson, parseQuery } from '../api/parse.js';
import { errorResponse, type WireResponse } from '../api/serialize.js';
import type { LocalEndpoints, LocalRequest } from '../api/server.js';
import type { SigV4Verifier } from '../api/sigv4.js';
import { InternalFailureException } from '../generated/errors.js';
import type { Store } from '../store/store.js';
import { VERSION } from '../base/version.js';
import { rootCa } from '../broker/ca.js';
import type { HostGuard } from './guard.js';
import type { SignedHandler } from './handler.js';
import { signedRoutes } from './signed.js';
import { openSnsMessages } from './sns-messages.js';

export interface AdminOptions {
  store: Store;
  metrics: Metrics;
  enableReset: boolean;
  /** Host and Origin check of every /_warden/ request. */
  hosts: HostGuard;
  /** GET /_warden/sns/messages unsigned and across accounts (--open-sns-messages; local use). */
  openSnsMessages?: boolean;
  verifier: SigV4Verifier;
  clock: Clock;
  log: Logger;
  wakeEngine?: () => void;
  /** Detect on this node: device metrics reports go to it. */
  detector?: Detector;
  detect?: DetectHooks;
}

export type AdminRequest = LocalRequest;


const json = (status: number, body: unknown, errorType?: string): WireResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) },
  body: JSON.stringify(body),
});

/** Warden's own endpoints under /_warden/ (and /metrics): never part of the AWS URI space. */
/** The routes handleAdmin answers, as metric labels: anything else is counted as `warden:unmatched`. */
const FIXED_ROUTES = ['GET /metrics', 'GET /_warden/health', 'GET /_warden/version', 'GET /_warden/ca.pem', 'POST /_warden/reset'];
const ROUTES = new Set([...FIXED_ROUTES, ...Object.keys(signedRoutes)]);

/** Whether a URL is the admin room's: /_warden/... and /metrics. */
export function ownsAdmin(url: string): boolean {
  return url.startsWith('/_warden/') || url === '/metrics';
}

/** The metric label of an admin request: its route when Warden has one, else one shared label. */
export function adminLabel(method: string, url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (ROUTES.has(`${method} ${path}`)) return `warden:${path}`;
  if (method === 'POST' && DEVICE_METRICS_PATH.test(path)) return 'warden:/_warden/things/{thingName}/defender/metrics';
  return 'warden:unmatched';
}

/** Warden's own endpoints under /_warden/ (and /metrics): never part of the AWS URI space. */
/** The admin endpoints as the HTTP layer calls them. */
export function adminEndpoints(opts: AdminOptions): LocalEndpoints {
  return { owns: ownsAdmin, label: adminLabel, handle: (req) => handleAdmin(req, opts) };
}

export async function handleAdmin(req: AdminRequest, opts: AdminOptions): Promise<WireResponse> {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  const { method } = req;
  if (path === '/metrics' && method === 'GET') {
    return { status: 200, headers: { 'content-type': opts.metrics.registry.contentType }, body: await opts.metrics.text() };
  }
  try {
    opts.hosts.check(req.headers);
  } catch (e) {
    return errorResponse(e as ServiceError);
  }
  if (method === 'GET' && path === '/_warden/sns/messages' && opts.openSnsMessages) return openSnsMessages(rawQuery, opts.store);
  const signed = signedRoutes[`${method} ${path}`];
  if (signed) return runSigned(signed, req, path, rawQuery, opts);
  const metricsReport = method === 'POST' ? DEVICE_METRICS_PATH.exec(path) : null;
  if (metricsReport && opts.detector) return postDeviceMetrics(req, path, rawQuery, metricsReport, { ...opts, detector: opts.detector });
  switch (`${method} ${path}`) {
    case 'GET /_warden/health':
      try {
        await opts.store.health();
        return json(200, { status: 'ok', database: 'ok', backend: opts.store.dialect });
      } catch (e) {
        return json(503, { status: 'unavailable', database: (e as Error).message, backend: opts.store.dialect });
      }
    case 'GET /_warden/ca.pem':
      // The Warden root CA that signs the MQTT broker's certificate: public, so unsigned.
      return { status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: (await rootCa(opts.store.repos, opts.clock)).certPem };
    case 'GET /_warden/version':
      return json(200, {
        name: 'warden',
        version: VERSION,
        apiVersion: '2015-05-28',
        backend: opts.store.dialect,
        schemaVersion: await opts.store.schemaVersion(),
      });
    case 'POST /_warden/reset':
      return reset(req, opts);
    default:
      return json(404, { message: `No Warden endpoint ${method} ${path}` }, 'UnknownOperationException');
  }
}

/**
 * POST /_warden/reset wipes every account, so a browser must not be able to send it from a page:
 * it needs a valid SigV4 signature or `content-type: application/json`, which no cross-site form or
 * simple request can carry without a CORS preflight (which Warden never grants).
 */
async function reset(req: AdminRequest, opts: AdminOptions): Promise<WireResponse> {
  if (!opts.enableReset) {
    return json(403, { message: 'Reset is disabled; start Warden with --enable-reset to allow it.' }, 'AccessDeniedException');
  }
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    try {
      await opts.verifier.verify({ method: req.method, rawPath: '/_warden/reset', query: new Map(), headers: req.headers, body: req.body });
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      return json(403, { message: `Reset needs a SigV4-signed request or content-type: application/json (${e.message})` }, 'AccessDeniedException');
    }
  }
  await opts.store.reset();
  return json(200, { reset: true });
}

async function runSigned(handler: SignedHandler, req: AdminRequest, path: string, rawQuery: string, opts: AdminOptions): Promise<WireResponse> {
  try {
    const query = parseQuery(rawQuery);
    const principal = await opts.verifier.verify({ method: req.method, rawPath: path, query, headers: req.headers, body: req.body });
    const body = req.body.length ? parseJson(req.body) : undefined;
    const ctx: Context = {
      requestId: req.requestId,
      operation: `warden:${path}`,
      accountId: principal.accountId,
      region: principal.region,
      store: opts.store,
      clock: opts.clock,
      log: opts.log,
      wakeEngine: opts.wakeEngine ?? (() => undefined),
      detect: opts.detect,
    };
    return json(200, (await handler({ body, query }, ctx)) ?? {});
  } catch (e) {
    if (e instanceof ServiceError) return errorResponse(e);
    opts.log.error({ reqId: req.requestId, err: e }, 'warden endpoint failed');
    return errorResponse(new InternalFailureException(`An internal error occurred (request ${req.requestId}).`));
  }
}
