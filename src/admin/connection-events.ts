import type { Scope } from '../base/scope.js';
import type { Context } from '../context/context.js';
import { isPlainObject, type Violation } from '../api/validate.js';
import { iotArn } from '../registry/arn.js';
import type { ConnectionEvent } from '../store/connection-events.js';
import { MAX_ENTRIES, refuse, requireList, requireObject } from './bodies.js';
import type { SignedHandler } from './handler.js';

const CERT_ID = /^[0-9a-f]{64}$/;
const CERT_ARN = /^arn:[a-z-]+:iot:[^:]*:\d{12}:cert\/([0-9a-f]{64})$/;
/** Upper-case reason names as in AWS IoT lifecycle events (DUPLICATE_CLIENTID, CONNECTION_LOST, ...); the list grows, so only the form is checked. */
const REASON = /^[A-Z][A-Z_]{0,63}$/;
/** Epoch seconds Warden accepts: 2000-01-01 up to 2100-01-01. */
const MIN_S = 946_684_800;
const MAX_S = 4_102_444_800;

/**
 * POST /_warden/connection-events: records MQTT connections (as a broker feed or a test would),
 * the input of DEVICE_CERTIFICATE_SHARED_CHECK and CONFLICTING_CLIENT_IDS_CHECK. Times are epoch
 * seconds. Posting a connection again (same client id, certificate, principal and connect time)
 * adds the disconnect it lacked instead of a second row. All or nothing.
 * Body: {"events": [{"clientId", "certificateId"?, "principal"?, "sourceIp"?, "connectedAt", "disconnectedAt"?, "disconnectReason"?}]}
 */
export const postConnectionEvents: SignedHandler = async ({ body }, ctx: Context) => {
  const events = validate(body, ctx);
  const recorded = await ctx.store.transaction((tx) => tx.connectionEvents.record(ctx, events));
  return { recorded };
};

function validate(body: unknown, scope: Scope): ConnectionEvent[] {
  requireObject(body);
  const list = requireList(body, 'events', MAX_ENTRIES, 'length');
  const v: Violation[] = [];
  const events = list.map((e, i) => event(e, `events.${i + 1}.member`, scope, v));
  if (v.length) refuse(v);
  return events as ConnectionEvent[];
}

const str = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const epoch = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= MIN_S && v < MAX_S;

function event(e: unknown, at: string, scope: Scope, v: Violation[]): ConnectionEvent | undefined {
  if (!isPlainObject(e)) {
    v.push({ path: at, value: e ?? null, constraint: 'Member must be a structure (JSON object)' });
    return undefined;
  }
  const n = v.length;
  const { clientId, certificateId, principal, sourceIp, connectedAt, disconnectedAt, disconnectReason } = e;
  if (!str(clientId, 1, 128)) v.push({ path: `${at}.clientId`, value: clientId ?? null, constraint: 'Member must be a string of 1 to 128 characters' });
  if (certificateId !== undefined && (typeof certificateId !== 'string' || !CERT_ID.test(certificateId))) {
    v.push({ path: `${at}.certificateId`, value: certificateId, constraint: 'Member must be a certificate id (64 lower-case hex characters)' });
  }
  if (principal !== undefined && !str(principal, 1, 2048)) v.push({ path: `${at}.principal`, value: principal, constraint: 'Member must be a string of 1 to 2048 characters' });
  if (sourceIp !== undefined && !str(sourceIp, 1, 64)) v.push({ path: `${at}.sourceIp`, value: sourceIp, constraint: 'Member must be a string of 1 to 64 characters' });
  if (!epoch(connectedAt)) v.push({ path: `${at}.connectedAt`, value: connectedAt ?? null, constraint: 'Member must be a timestamp in epoch seconds (2000 to 2100)' });
  if (disconnectedAt !== undefined && disconnectedAt !== null) {
    if (!epoch(disconnectedAt)) v.push({ path: `${at}.disconnectedAt`, value: disconnectedAt, constraint: 'Member must be a timestamp in epoch seconds (2000 to 2100)' });
    else if (epoch(connectedAt) && disconnectedAt < connectedAt) {
      v.push({ path: `${at}.disconnectedAt`, value: disconnectedAt, constraint: 'Member must not be earlier than connectedAt' });
    }
  }
  if (disconnectReason !== undefined && disconnectReason !== null) {
    if (typeof disconnectReason !== 'string' || !REASON.test(disconnectReason)) {
      v.push({ path: `${at}.disconnectReason`, value: disconnectReason, constraint: 'Member must be a disconnect reason such as DUPLICATE_CLIENTID or CONNECTION_LOST' });
    } else if (disconnectedAt === undefined || disconnectedAt === null) {
      v.push({ path: `${at}.disconnectReason`, value: disconnectReason, constraint: 'Member must come with disconnectedAt' });
    }
  }
  if (v.length > n) return undefined;
  // One form for a certificate principal, so the checks compare principals as stored.
  let cert = certificateId as string | undefined;
  let who = principal as string | undefined;
  const fromArn = who ? CERT_ARN.exec(who)?.[1] : undefined;
  if (fromArn && cert && fromArn !== cert) {
    v.push({ path: `${at}.principal`, value: who, constraint: 'Member must name the same certificate as certificateId' });
    return undefined;
  }
  cert ??= fromArn;
  if (cert && (!who || fromArn)) who = iotArn(scope, `cert/${cert}`);
  return {
    clientId: clientId as string,
    certificateId: cert,
    principal: who,
    sourceIp: sourceIp as string | undefined,
    connectedAt: Math.round((connectedAt as number) * 1000),
    disconnectedAt: typeof disconnectedAt === 'number' ? Math.round(disconnectedAt * 1000) : undefined,
    disconnectReason: disconnectReason as string | undefined,
  };
}
