// The @aws-sdk/client-iot client the command line talks through: endpoint, region, credentials, timeouts,
// TLS options and --debug logging of every request and response.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { IoTClient } from '@aws-sdk/client-iot';
import type { Globals } from './args.js';
import { DEFAULT_ENDPOINT, type Resolved } from './config.js';

export interface ErrWriter {
  err: (s: string) => void;
}

export function makeClient(conf: Resolved, globals: Globals, io: ErrWriter): IoTClient {
  const seconds = (v: unknown) => (typeof v === 'number' ? (v === 0 ? undefined : v * 1000) : 60_000);
  const httpsAgent = conf.endpoint.startsWith('https:')
    ? new Agent({ rejectUnauthorized: !globals['no-verify-ssl'], ca: conf.caBundle ? readFileSync(conf.caBundle) : undefined })
    : undefined;
  const client = new IoTClient({
    endpoint: conf.endpoint,
    region: conf.region,
    credentials: conf.credentials,
    requestHandler: { connectionTimeout: seconds(globals['cli-connect-timeout']), requestTimeout: seconds(globals['cli-read-timeout']), httpsAgent },
    ...(globals['no-sign-request'] ? { signer: { sign: async (r: unknown) => r } as never } : {}),
  });
  if (globals.debug) {
    io.err(`warden iot: endpoint ${conf.endpoint}${conf.endpoint === DEFAULT_ENDPOINT ? ' (default)' : ''}, region ${conf.region}, credentials from ${conf.credentialSource}\n`);
    client.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { method?: string; path?: string; query?: unknown; headers?: unknown; body?: unknown };
        io.err(`warden iot: request ${req.method} ${req.path} query=${JSON.stringify(req.query)} headers=${JSON.stringify(req.headers)} body=${typeof req.body === 'string' ? req.body : ''}\n`);
        const res = await next(args);
        const r = res.response as { statusCode?: number; headers?: unknown };
        io.err(`warden iot: response ${r.statusCode} headers=${JSON.stringify(r.headers)}\n`);
        return res;
      },
      { step: 'finalizeRequest', priority: 'low', name: 'wardenDebug' },
    );
  }
  return client;
}

