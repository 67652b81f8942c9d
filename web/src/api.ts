import { IoTClient } from '@aws-sdk/client-iot';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** What the user signed in with; kept in sessionStorage, so it ends with the tab. */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  accountId: string;
}

const KEY = 'warden.console.session';

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session | undefined): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
  client = undefined;
}

let client: IoTClient | undefined;

/** The AWS IoT client of this session: the page's own origin is the endpoint, requests are SigV4-signed here. */
export function iot(): IoTClient {
  const s = loadSession();
  if (!s) throw new Error('Not signed in.');
  client ??= new IoTClient({
    endpoint: location.origin,
    region: s.region,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    maxAttempts: 1,
  });
  return client;
}

/** An error as AWS names it: `Name: message` (the SDK's exception name and the server's message). */
export function describeError(e: unknown): string {
  if (e && typeof e === 'object') {
    const err = e as { name?: string; message?: string };
    if (err.name && err.message) return `${err.name}: ${err.message}`;
    if (err.message) return err.message;
  }
  return String(e);
}

/** A signed GET of one of Warden's own endpoints (/_warden/...), for what AWS's API has nothing for. */
export async function wardenGet<T>(path: string, creds: Omit<Session, 'accountId'>): Promise<T> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    region: creds.region,
    service: 'iot',
    sha256: Sha256,
  });
  const req = new HttpRequest({
    method: 'GET',
    protocol: location.protocol,
    hostname: location.hostname,
    port: location.port ? Number(location.port) : undefined,
    path,
    headers: { host: location.host },
  });
  const signed = await signer.sign(req);
  const headers = { ...signed.headers };
  delete headers.host; // the browser sends it itself, with the same value
  const res = await fetch(path, { headers });
  const body = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok) {
    const err = new Error(body.message ?? `HTTP ${res.status}`);
    err.name = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? 'Error';
    throw err;
  }
  return body;
}
