import type { Scope } from '../src/base/scope.js';
import { parseCrl, verifyWithRegisteredCa } from '../src/audit/crls.js';
import { connectionId } from '../src/store/connection-events.js';
import { UPLOADED } from '../src/store/crls.js';
import type { Repos } from '../src/store/store.js';
import type { IamRoleRecord } from '../src/store/iam-roles.js';
import { DAY_MS, makeCrl, type BenchCa } from './audit-certs.js';

/**
 * What `bench:audit` tells Warden besides the registry, in the rows its admin endpoints write:
 * uploaded CRLs (POST /_warden/crls), IAM roles (POST /_warden/iam-roles) and MQTT connections
 * (POST /_warden/connection-events).
 */
export const SCOPE: Scope = { accountId: '000000000000', region: 'us-east-1' };
export const ARN = `arn:aws:iot:${SCOPE.region}:${SCOPE.accountId}`;
export const EVENT_COLUMNS = ['account_id', 'region', 'event_id', 'client_id', 'certificate_id', 'principal', 'source_ip', 'connected_at', 'disconnected_at', 'disconnect_reason'] as const;

export const bump = (o: Record<string, number>, key: string, by = 1): void => void (o[key] = (o[key] ?? 0) + by);

/** Uploads a CRL the way POST /_warden/crls stores it (after checking it verifies with a registered CA). */
export async function storeCrl(repos: Repos, ca: BenchCa, serials: string[], now: number): Promise<void> {
  const crl = parseCrl(await makeCrl(ca, serials, now));
  const verdict = await verifyWithRegisteredCa(repos, SCOPE, crl);
  if (!verdict.ok) throw new Error(`the CRL of ${ca.name} would be refused: ${verdict.problem}`);
  await repos.crls.replace(SCOPE, { crlId: crl.id, issuer: crl.issuer, der: crl.der, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, source: UPLOADED, storedAt: new Date(now) });
}

/** The IAM role `k` of the role aliases: what it grants, and the services its credentials used. */
export function iamRole(k: number, roleArn: string, now: number): { record: IamRoleRecord; kind: string } {
  const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
  const used = (service: string, daysAgo: number) => ({ service, lastUsed: now - daysAgo * DAY_MS });
  const role = (kind: string, documents: object[], servicesUsed: IamRoleRecord['servicesUsed']) => ({ kind, record: { roleArn, documents, servicesUsed, updatedAt: new Date(now - DAY_MS) } });
  switch (k % 5) {
    case 0:
      return role('scoped', [doc({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::bench-firmware-${k}/*` })], [used('s3', 3)]);
    case 1:
      return role('adminOnUsedService', [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })], [used('s3', 10)]);
    case 2:
      return role(
        'securityAuditing',
        [doc({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::bench-logs-${k}/*` }, { Effect: 'Allow', Action: 'iam:*', Resource: '*' })],
        [used('s3', 1)],
      );
    case 3:
      return role('iotAdmin', [doc({ Effect: 'Allow', Action: 'iot:*', Resource: '*' })], [used('iot', 2)]);
    default:
      return role(
        'unusedService',
        [doc({ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: `arn:aws:dynamodb:us-east-1:${SCOPE.accountId}:table/bench-${k}` })],
        [used('dynamodb', 500)],
      );
  }
}

const ip = (i: number, salt: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i + salt) & 255}`;

/** A connection_events row as POST /_warden/connection-events records it (principal: the certificate ARN). */
function event(clientId: string, certificateId: string, sourceIp: string, connectedAt: number, disconnectedAt: number | null, reason: string | null): unknown[] {
  const principal = `${ARN}:cert/${certificateId}`;
  const id = connectionId({ clientId, certificateId, principal, connectedAt });
  return [SCOPE.accountId, SCOPE.region, id, clientId, certificateId, principal, sourceIp, connectedAt, disconnectedAt, reason];
}

/** Connection events of device `i` (client id `client`, certificate `certId`) within the 31 days before the audit. */
export function connectionEvents(out: unknown[][], i: number, client: string, certId: string, now: number, rnd: () => number, seeded: Record<string, number>): void {
  // From 29 days to 3 hours before the audit: inside both checks' windows (31 days; the shared check stops 2 hours before).
  const connected = now - 3 * 3600_000 - Math.floor(rnd() * 29 * DAY_MS);
  const r = rnd();
  if (r < 0.002) {
    // The same certificate used by a second device while the first is connected.
    out.push(event(client, certId, ip(i, 0), connected, connected + 2 * 3600_000, 'CLIENT_INITIATED_DISCONNECT'));
    out.push(event(`${client}-copy`, certId, ip(i, 101), connected + 600_000, connected + 3600_000, 'CLIENT_INITIATED_DISCONNECT'));
    bump(seeded, 'sharedCertificates');
  } else if (r < 0.004) {
    // A cloned device (same certificate, same client id) and the original knock each other off.
    // (The same certificate under one client id is not a shared certificate, so the two checks' seeds stay apart.)
    out.push(event(client, certId, ip(i, 0), connected, connected + 300_000, 'DUPLICATE_CLIENTID'));
    out.push(event(client, certId, ip(i, 77), connected + 300_000, connected + 600_000, 'DUPLICATE_CLIENTID'));
    out.push(event(client, certId, ip(i, 0), connected + 600_000, null, null));
    bump(seeded, 'conflictingClientIds');
  } else {
    const open = rnd() < 0.3;
    out.push(event(client, certId, ip(i, 0), connected, open ? null : connected + Math.floor(rnd() * 6 * 3600_000), open ? null : 'CLIENT_INITIATED_DISCONNECT'));
  }
}
