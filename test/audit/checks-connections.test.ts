// DEVICE_CERTIFICATE_SHARED_CHECK and CONFLICTING_CLIENT_IDS_CHECK, both backends: certificates
// created through the real API (CreateKeysAndCertificate with @aws-sdk/client-iot against an
// in-process server), connections recorded through the signed POST /_warden/connection-events,
// each check's run() against the store, including the edges of its time window.
// Each scenario uses its own region, so its scope starts empty.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateKeysAndCertificateCommand } from '@aws-sdk/client-iot';
import type { CheckContext, CheckFinding } from '../../src/audit/check.js';
import { conflictingClientIds } from '../../src/audit/checks/conflicting-client-ids.js';
import { deviceCertificateShared } from '../../src/audit/checks/device-certificate-shared.js';
import { concurrentAcrossClients, knockedOff, type ConnectionRecord } from '../../src/store/connection-events.js';
import { BACKENDS } from '../harness.js';
import { assertInvalid, post } from '../operations/findings-helpers.js';
import { assertRegistered, ok, useCheckServer } from './check-harness.js';

const ACCOUNT = '000000000000';
const H = 3600;
const D = 24 * H;

const byCert = (findings: CheckFinding[]) => Object.fromEntries(findings.map((f) => [f.resourceIdentifier.deviceCertificateId!, f]));
const byClient = (findings: CheckFinding[]) => Object.fromEntries(findings.map((f) => [f.resourceIdentifier.clientId!, f]));
/** A related CLIENT_ID entry as the shared check writes it (times in epoch seconds here, milliseconds there). */
const clientEntry = (clientId: string, connected: number, disconnected?: number) => ({
  resourceType: 'CLIENT_ID',
  resourceIdentifier: { clientId },
  additionalInfo: { CONNECTION_TIME: String(connected * 1000), ...(disconnected === undefined ? {} : { DISCONNECTION_TIME: String(disconnected * 1000) }) },
});

const row = (eventId: string, clientId: string, connectedAt: number, disconnectedAt: number | null, o: Partial<ConnectionRecord> = {}): ConnectionRecord => ({
  eventId,
  clientId,
  certificateId: 'c',
  principal: 'p',
  connectedAt,
  disconnectedAt,
  disconnectReason: null,
  ...o,
});

test('the pairing sweeps: zero-length connections, shared time clipped to the window, same-instant knock-offs', () => {
  // A zero-length connection overlaps nothing; b and c share [15, 20), inside the window [0, 100).
  const a = row('a', 'x', 10, 10);
  const b = row('b', 'y', 5, 20);
  const c = row('c', 'z', 15, 30);
  assert.deepEqual(concurrentAcrossClients([b, a, c], 0, 100).map((r) => r.eventId), ['c', 'b']);
  // The shared time [15, 20) ends before a window starting at 20.
  assert.deepEqual(concurrentAcrossClients([b, c], 20, 100), []);
  // Same client id, same instant, same principal: the one that says DUPLICATE_CLIENTID was knocked off by the other.
  const first = row('1', 'k', 50, 60, { disconnectReason: 'DUPLICATE_CLIENTID' });
  const second = row('2', 'k', 50, null);
  assert.deepEqual(knockedOff([second, first], 0, 100).map((r) => r.eventId).sort(), ['1', '2']);
  // A disconnect exactly at the other's connect counts; one a millisecond earlier does not.
  assert.deepEqual(knockedOff([row('3', 'k', 10, 20), row('4', 'k', 20, null, { principal: 'q' })], 0, 100).length, 2);
  assert.deepEqual(knockedOff([row('3', 'k', 10, 19), row('4', 'k', 20, null, { principal: 'q' })], 0, 100), []);
});

test('the two checks are registered with their severities', () =>
  assertRegistered([deviceCertificateShared, 'DEVICE_CERTIFICATE_SHARED_CHECK:CRITICAL'], [conflictingClientIds, 'CONFLICTING_CLIENT_IDS_CHECK:HIGH']));

for (const backend of BACKENDS) {
  describe(`connection audit checks (${backend})`, () => {
    // Whole seconds, so epoch-second inputs and the millisecond outputs compare exactly.
    const w = useCheckServer(backend, 'conn', { start: new Date(Math.floor(Date.now() / 1000) * 1000), taskId: 'connections-audit' });
    const NOW = Math.floor(w.clock.now().getTime() / 1000);
    const ctx = (region: string, o: Partial<CheckContext> = {}): CheckContext => w.checkContext(region, o);
    const record = async (region: string, events: unknown[]): Promise<number> => {
      const r = await post(w.url, '/_warden/connection-events', { events }, { region });
      assert.equal(r.status, 200, r.text);
      return r.json.recorded;
    };
    /** Real certificates of the region, by label. */
    const certs = async (region: string, ...labels: string[]): Promise<Record<string, string>> => {
      const c = w.client(region);
      const out: Record<string, string> = {};
      for (const l of labels) out[l] = (await c.send(new CreateKeysAndCertificateCommand({ setAsActive: true }))).certificateId!;
      return out;
    };

    test('shared certificate: concurrent connections from different client ids inside [31 days back, 2 hours back)', async () => {
      const region = 'eu-west-1';
      const c = await certs(region, 'shared', 'sequential', 'reconnect', 'old', 'recent', 'open', 'edge');
      const n = await record(region, [
        // Two devices overlap for half an hour three days ago.
        { clientId: 'dev-a', certificateId: c.shared, connectedAt: NOW - 3 * D, disconnectedAt: NOW - 3 * D + H },
        { clientId: 'dev-b', certificateId: c.shared, connectedAt: NOW - 3 * D + H / 2, disconnectedAt: NOW - 3 * D + 2 * H, sourceIp: '10.0.0.2' },
        // One after the other: not concurrent (the second connects the second the first leaves).
        { clientId: 'seq-a', certificateId: c.sequential, connectedAt: NOW - 5 * D, disconnectedAt: NOW - 5 * D + H },
        { clientId: 'seq-b', certificateId: c.sequential, connectedAt: NOW - 5 * D + H, disconnectedAt: NOW - 5 * D + 2 * H },
        // The same client id twice at once: a reconnect, not a second device.
        { clientId: 'same', certificateId: c.reconnect, connectedAt: NOW - 6 * D, disconnectedAt: NOW - 6 * D + H },
        { clientId: 'same', certificateId: c.reconnect, connectedAt: NOW - 6 * D + 60, disconnectedAt: NOW - 6 * D + 2 * H },
        // Older than the window.
        { clientId: 'old-a', certificateId: c.old, connectedAt: NOW - 40 * D, disconnectedAt: NOW - 40 * D + H },
        { clientId: 'old-b', certificateId: c.old, connectedAt: NOW - 40 * D + 60, disconnectedAt: NOW - 40 * D + H },
        // Inside the last two hours.
        { clientId: 'new-a', certificateId: c.recent, connectedAt: NOW - H, disconnectedAt: NOW - H / 2 },
        { clientId: 'new-b', certificateId: c.recent, connectedAt: NOW - H + 60 },
        // Both still connected, since before the window and since ten days.
        { clientId: 'open-a', certificateId: c.open, connectedAt: NOW - 45 * D },
        { clientId: 'open-b', certificateId: c.open, connectedAt: NOW - 10 * D },
        // Overlapping only from 2h10m back to 1h50m back: the part before the 2-hour cut counts.
        { clientId: 'edge-a', certificateId: c.edge, connectedAt: NOW - 3 * H, disconnectedAt: NOW - H - 50 * 60 },
        { clientId: 'edge-b', certificateId: c.edge, connectedAt: NOW - 2 * H - 10 * 60, disconnectedAt: NOW - H },
      ]);
      assert.equal(n, 14);

      const r = ok(await deviceCertificateShared.run(ctx(region)));
      const found = byCert(r.findings);
      assert.deepEqual(Object.keys(found).sort(), [c.shared, c.open, c.edge].sort());
      const shared = found[c.shared];
      assert.equal(shared.resourceType, 'DEVICE_CERTIFICATE');
      assert.equal(shared.reasonForNonCompliance, 'Certificate shared by one or more devices.');
      assert.equal(shared.reasonForNonComplianceCode, 'CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES');
      assert.deepEqual(shared.relatedResources, [clientEntry('dev-b', NOW - 3 * D + H / 2, NOW - 3 * D + 2 * H), clientEntry('dev-a', NOW - 3 * D, NOW - 3 * D + H)]);
      assert.deepEqual(found[c.open].relatedResources, [clientEntry('open-b', NOW - 10 * D), clientEntry('open-a', NOW - 45 * D)]);
      // Certificates with a connection in the window: shared, sequential, reconnect, open, edge.
      assert.equal(r.totalResourcesCount, 5);

      // Scheduled: from two hours before the last run (a day ago) to two hours ago.
      const scheduled = ok(await deviceCertificateShared.run(ctx(region, { taskType: 'SCHEDULED_AUDIT_TASK', windowStart: (NOW - D - 2 * H) * 1000 })));
      assert.deepEqual(Object.keys(byCert(scheduled.findings)).sort(), [c.open, c.edge].sort());
    });

    test('shared certificate: a certificate named only by its principal ARN is recognised', async () => {
      const region = 'eu-west-2';
      const c = await certs(region, 'x');
      const principal = `arn:aws:iot:${region}:${ACCOUNT}:cert/${c.x}`;
      await record(region, [
        { clientId: 'p1', principal, connectedAt: NOW - D, disconnectedAt: NOW - D + H },
        { clientId: 'p2', certificateId: c.x, connectedAt: NOW - D + 60, disconnectedAt: NOW - D + 120 },
      ]);
      const r = ok(await deviceCertificateShared.run(ctx(region)));
      assert.deepEqual(Object.keys(byCert(r.findings)), [c.x]);
      // Same principal on both rows once normalised: no client-id conflict between them either.
      assert.deepEqual(ok(await conflictingClientIds.run(ctx(region))).findings, []);
    });

    test('conflicting client ids: connections that knocked each other off, by principal or DUPLICATE_CLIENTID, inside [31 days back, now)', async () => {
      const region = 'ap-south-1';
      const c = await certs(region, 'y', 'z');
      const py = `arn:aws:iot:${region}:${ACCOUNT}:cert/${c.y}`;
      const pz = `arn:aws:iot:${region}:${ACCOUNT}:cert/${c.z}`;
      await record(region, [
        // Two certificates with one client id: the second connect knocks the first off.
        { clientId: 'twins', certificateId: c.y, connectedAt: NOW - 4 * D, disconnectedAt: NOW - 4 * D + H / 2, disconnectReason: 'DUPLICATE_CLIENTID' },
        { clientId: 'twins', certificateId: c.z, connectedAt: NOW - 4 * D + H / 2, disconnectedAt: NOW - 4 * D + H },
        // The broker says so, same principal (a device fighting its own stale session).
        { clientId: 'stale', certificateId: c.y, connectedAt: NOW - 2 * D, disconnectedAt: NOW - 2 * D + 600, disconnectReason: 'DUPLICATE_CLIENTID' },
        { clientId: 'stale', certificateId: c.y, connectedAt: NOW - 2 * D + 600, disconnectedAt: NOW - 2 * D + 900, disconnectReason: 'CLIENT_INITIATED_DISCONNECT' },
        // A non-certificate principal knocks a certificate off an hour ago (no two-hour lag for this check).
        { clientId: 'mixed', certificateId: c.z, connectedAt: NOW - 2 * H, disconnectedAt: NOW - H },
        { clientId: 'mixed', principal: 'us-east-1:11111111-2222-3333-4444-555555555555', connectedAt: NOW - H },
        // One after the other, different certificates, no reason given: not a conflict.
        { clientId: 'handover', certificateId: c.y, connectedAt: NOW - 8 * D, disconnectedAt: NOW - 8 * D + H, disconnectReason: 'CLIENT_INITIATED_DISCONNECT' },
        { clientId: 'handover', certificateId: c.z, connectedAt: NOW - 8 * D + 2 * H },
        // Older than the window.
        { clientId: 'ancient', certificateId: c.y, connectedAt: NOW - 50 * D, disconnectedAt: NOW - 50 * D + 60, disconnectReason: 'DUPLICATE_CLIENTID' },
        { clientId: 'ancient', certificateId: c.z, connectedAt: NOW - 50 * D + 60, disconnectedAt: NOW - 50 * D + 120 },
        // After the audit started (a feed running ahead of the audit's time).
        { clientId: 'future', certificateId: c.y, connectedAt: NOW + 60, disconnectedAt: NOW + 120, disconnectReason: 'DUPLICATE_CLIENTID' },
        { clientId: 'future', certificateId: c.z, connectedAt: NOW + 120 },
      ]);
      const r = ok(await conflictingClientIds.run(ctx(region)));
      const found = byClient(r.findings);
      assert.deepEqual(Object.keys(found).sort(), ['mixed', 'stale', 'twins']);
      const twins = found.twins;
      assert.equal(twins.resourceType, 'CLIENT_ID');
      assert.equal(twins.reasonForNonComplianceCode, 'DUPLICATE_CLIENT_ID_ACROSS_CONNECTIONS');
      assert.equal(twins.reasonForNonCompliance, 'Multiple connections with client ID twins disconnected each other (2 connections, 2 principals).');
      assert.deepEqual(twins.relatedResources, [
        {
          resourceType: 'CLIENT_ID',
          resourceIdentifier: { clientId: 'twins' },
          additionalInfo: { CONNECTION_TIME: String((NOW - 4 * D + H / 2) * 1000), PRINCIPAL_ID: pz, DISCONNECTION_TIME: String((NOW - 4 * D + H) * 1000) },
        },
        {
          resourceType: 'CLIENT_ID',
          resourceIdentifier: { clientId: 'twins' },
          additionalInfo: {
            CONNECTION_TIME: String((NOW - 4 * D) * 1000),
            PRINCIPAL_ID: py,
            DISCONNECTION_TIME: String((NOW - 4 * D + H / 2) * 1000),
            DISCONNECT_REASON: 'DUPLICATE_CLIENTID',
          },
        },
      ]);
      assert.equal(found.stale.relatedResources!.length, 2);
      assert.equal(found.mixed.relatedResources![0].additionalInfo!.PRINCIPAL_ID, 'us-east-1:11111111-2222-3333-4444-555555555555');
      assert.equal(found.mixed.relatedResources![0].additionalInfo!.DISCONNECTION_TIME, undefined);
      // Client ids with a connection in the window: twins, stale, mixed, handover.
      assert.equal(r.totalResourcesCount, 4);

      // Scheduled since a run three days ago: twins (four days ago) drops out.
      const scheduled = ok(await conflictingClientIds.run(ctx(region, { taskType: 'SCHEDULED_AUDIT_TASK', windowStart: (NOW - 3 * D) * 1000 })));
      assert.deepEqual(Object.keys(byClient(scheduled.findings)).sort(), ['mixed', 'stale']);
    });

    test('posting a connection again adds its disconnect to the same row', async () => {
      const region = 'ca-central-1';
      const c = await certs(region, 'w');
      const connect = { clientId: 'w1', certificateId: c.w, connectedAt: NOW - D };
      await record(region, [connect, { clientId: 'w2', certificateId: c.w, connectedAt: NOW - D + 3 * H }]);
      // Still open: w1 overlaps w2.
      assert.deepEqual(Object.keys(byCert(ok(await deviceCertificateShared.run(ctx(region))).findings)), [c.w]);
      // The disconnect arrives (twice, as an at-least-once feed may send it): w1 ended before w2 began.
      assert.equal(await record(region, [{ ...connect, disconnectedAt: NOW - D + H, disconnectReason: 'CONNECTION_LOST' }, { ...connect, disconnectedAt: NOW - D + H }]), 1);
      const r = ok(await deviceCertificateShared.run(ctx(region)));
      assert.deepEqual(r.findings, []);
      assert.equal(r.totalResourcesCount, 1);
      const rows = await w.server.store.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM connection_events WHERE region = ?', [region]);
      assert.equal(Number(rows[0].n), 2);
    });

    test('POST /_warden/connection-events refuses bad bodies with InvalidRequestException naming the field, and records nothing', async () => {
      const region = 'sa-east-1';
      const send = (body: unknown) => post(w.url, '/_warden/connection-events', body, { region });
      const good = { clientId: 'ok', connectedAt: NOW - D };
      assertInvalid(await send({}), "'events'", 'Member must not be null');
      assertInvalid(await send('[1]'), 'body', 'must be a JSON object');
      assertInvalid(await send({ events: [] }), "'events'", 'length between 1 and 10000');
      assertInvalid(await send({ events: [good, { connectedAt: NOW }] }), "'events.2.member.clientId'");
      assertInvalid(await send({ events: [{ ...good, clientId: 'x'.repeat(129) }] }), "'events.1.member.clientId'", '1 to 128');
      assertInvalid(await send({ events: [{ ...good, certificateId: 'abc' }] }), "'events.1.member.certificateId'", '64 lower-case hex');
      assertInvalid(await send({ events: [{ ...good, connectedAt: '2024-01-01' }] }), "'events.1.member.connectedAt'", 'epoch seconds');
      assertInvalid(await send({ events: [{ ...good, connectedAt: Date.now() }] }), "'events.1.member.connectedAt'", 'epoch seconds');
      assertInvalid(await send({ events: [{ ...good, disconnectedAt: NOW - 2 * D }] }), "'events.1.member.disconnectedAt'", 'not be earlier than connectedAt');
      assertInvalid(await send({ events: [{ ...good, disconnectedAt: NOW, disconnectReason: 'duplicate' }] }), "'events.1.member.disconnectReason'");
      assertInvalid(await send({ events: [{ ...good, disconnectReason: 'DUPLICATE_CLIENTID' }] }), "'events.1.member.disconnectReason'", 'with disconnectedAt');
      assertInvalid(
        await send({ events: [{ ...good, certificateId: 'a'.repeat(64), principal: `arn:aws:iot:${region}:${ACCOUNT}:cert/${'b'.repeat(64)}` }] }),
        "'events.1.member.principal'",
        'same certificate',
      );
      assertInvalid(await send({ events: [{ ...good, sourceIp: 7 }] }), "'events.1.member.sourceIp'");
      const rows = await w.server.store.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM connection_events WHERE region = ?', [region]);
      assert.equal(Number(rows[0].n), 0);
    });
  });
}
