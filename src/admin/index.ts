import type { Store } from '../store/store.js';
import type { Metrics } from '../api/metrics.js';
import { schemaVersion } from '../store/migrations/index.js';
import type { WireResponse } from '../api/serialize.js';
import { VERSION } from '../version.js';

export interface AdminOptions {
  store: Store;
  metrics: Metrics;
  enableReset: boolean;
}

const json = (status: number, body: unknown, errorType?: string): WireResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) },
  body: JSON.stringify(body),
});

/** Warden's own endpoints under /_warden/ (and /metrics): never part of the AWS URI space. */
export async function handleAdmin(method: string, path: string, opts: AdminOptions): Promise<WireResponse> {
  if (path === '/metrics' && method === 'GET') {
    return { status: 200, headers: { 'content-type': opts.metrics.registry.contentType }, body: await opts.metrics.text() };
  }
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
