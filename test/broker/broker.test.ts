// The MQTT broker end to end, both backends: an in-process server with `mqtt: { port: 0 }`, real
// mutual TLS, certificates made through the API (CreateKeysAndCertificate,
// RegisterCertificateWithoutCA, RegisterCertificate with a CA), the `mqtt` npm client and Debian's
// mosquitto_pub. Devices get an allow-all policy unless a test is about policies.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateKeysAndCertificateCommand,
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  RegisterCertificateCommand,
  StartAuditMitigationActionsTaskCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import mqtt from 'mqtt';
import { createServer, type Authorizer, type Session, type SessionAuthorizer, type WardenServer } from '../../src/index.js';
import { BACKENDS, dropSchema, freshSchema, iot, PG_BASE, run } from '../harness.js';
import { makeCa, storeCaCertificate } from '../operations/certificates-helpers.js';
import { action, certFinding, injectFindings, waitAudit } from '../operations/mitigation-helpers.js';
import { connectDevice, ecDevice, refusedConnect, until, type Device } from './devices.js';

const SCOPE = { accountId: '000000000000', region: 'us-east-1' };

for (const backend of BACKENDS) {
  describe(`MQTT broker: mutual TLS, authentication, lifecycle (${backend})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-broker-'));
    const schema = freshSchema();
    let server: WardenServer;
    let client: ReturnType<typeof iot>;
    let ca = '';
    let url = '';
    const open: mqtt.MqttClient[] = [];

    const target = () => ({ port: server.mqtt!.port, ca, open });
    const connect = (d: Device, clientId: string, extra: Partial<mqtt.IClientOptions> = {}) => connectDevice(target(), d, clientId, extra);
    const refused = (d: Device, clientId: string) => refusedConnect(target(), d, clientId);
    const allowAll = (target: string) => client.send(new AttachPolicyCommand({ policyName: 'open', target }));
    const active = async (policy = true): Promise<Device & { arn: string }> => {
      const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      if (policy) await allowAll(r.certificateArn!);
      return { cert: r.certificatePem!, key: r.keyPair!.PrivateKey!, id: r.certificateId, arn: r.certificateArn! };
    };
    /** A subscriber on `filter`, collecting JSON messages. */
    const listen = async (filter: string): Promise<{ messages: { topic: string; body: Record<string, unknown> }[]; c: mqtt.MqttClient }> => {
      const c = await connect(await active(), `listener-${Math.random().toString(36).slice(2, 8)}`);
      const messages: { topic: string; body: Record<string, unknown> }[] = [];
      c.on('message', (topic, payload) => messages.push({ topic, body: JSON.parse(payload.toString()) }));
      await c.subscribeAsync(filter, { qos: 0 });
      return { messages, c };
    };

    before(async () => {
      server = await createServer({
        port: 0,
        dataDir,
        databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined,
        logLevel: 'silent',
        mqtt: { port: 0 },
      });
      url = await server.listen();
      client = iot(url);
      ca = await (await fetch(`${url}/_warden/ca.pem`)).text();
      await client.send(new CreatePolicyCommand({ policyName: 'open', policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }) }));
    });

    after(async () => {
      for (const c of open) c.end(true);
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    test('ca.pem is the root CA, in the data folder too, and it verifies the server (localhost); an ACTIVE certificate connects and publishes', async () => {
      assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
      assert.equal(ca, server.mqtt!.caPem);
      assert.equal(readFileSync(join(dataDir, 'ca.pem'), 'utf8'), ca);
      const { messages } = await listen('hello/#');
      const c = await connect(await active(), 'device-1');
      await c.publishAsync('hello/world', JSON.stringify({ n: 1 }), { qos: 1 });
      await until(() => messages.some((m) => m.topic === 'hello/world' && m.body.n === 1));
      await c.endAsync();
    });

    test('a server certificate another CA signed is not trusted by a client with ca.pem', async () => {
      const other = (await makeCa()).pem;
      await assert.rejects(connect(await active(), 'device-x', { ca: other }), /certificate|self.signed|verify/i);
    });

    test('DescribeEndpoint answers the broker for iot:Data-ATS and AWS forms for the others', async () => {
      assert.equal((await client.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }))).endpointAddress, 'localhost');
      assert.equal((await client.send(new DescribeEndpointCommand({}))).endpointAddress, 'localhost');
      assert.match((await client.send(new DescribeEndpointCommand({ endpointType: 'iot:CredentialProvider' }))).endpointAddress!, /^[a-z0-9]{14}\.credentials\.iot\.us-east-1\.amazonaws\.com$/);
      assert.match((await client.send(new DescribeEndpointCommand({ endpointType: 'iot:Jobs' }))).endpointAddress!, /^[a-z0-9]{14}\.jobs\.iot\.us-east-1\.amazonaws\.com$/);
    });

    test('INACTIVE and unknown certificates are refused (CONNACK 5); a self-signed one registered without a CA connects', async () => {
      const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: false }));
      await refused({ cert: r.certificatePem!, key: r.keyPair!.PrivateKey! }, 'inactive');
      const unknown = await ecDevice();
      await refused(unknown, 'unknown');
      const own = await ecDevice();
      await allowAll((await client.send(new RegisterCertificateWithoutCACommand({ certificatePem: own.cert, status: 'ACTIVE' }))).certificateArn!);
      (await connect(own, 'self-signed')).end(true);
    });

    test('a certificate of a registered CA connects while the CA is ACTIVE; once the CA is INACTIVE its session is closed and it is refused', async () => {
      const testCa = await makeCa();
      const caId = await storeCaCertificate(server.store.repos, SCOPE, testCa.pem, { status: 'ACTIVE', at: new Date() });
      const d = await ecDevice(testCa);
      await allowAll((await client.send(new RegisterCertificateCommand({ certificatePem: d.cert, caCertificatePem: testCa.pem, status: 'ACTIVE' }))).certificateArn!);
      const live = await connect(d, 'ca-device');
      const closed = new Promise<number>((resolve) => live.once('close', () => resolve(Date.now())));
      const at = Date.now();
      await client.send(new UpdateCACertificateCommand({ certificateId: caId, newStatus: 'INACTIVE' }));
      // The live session of a certificate the CA signed is closed at once, and it cannot come back.
      assert.ok((await closed) - at < 1000);
      await refused(d, 'ca-device');
    });

    test('just-in-time registration: an unknown certificate of a CA with auto-registration is registered PENDING_ACTIVATION, refused, and announced', async () => {
      const testCa = await makeCa();
      const caId = await storeCaCertificate(server.store.repos, SCOPE, testCa.pem, { status: 'ACTIVE', at: new Date() });
      await client.send(new UpdateCACertificateCommand({ certificateId: caId, newAutoRegistrationStatus: 'ENABLE' }));
      const { messages } = await listen('$aws/events/certificates/registered/+');
      const d = await ecDevice(testCa);
      await refused(d, 'jitr-device');
      const id = new (await import('node:crypto')).X509Certificate(d.cert).fingerprint256.replace(/:/g, '').toLowerCase();
      const desc = await client.send(new DescribeCertificateCommand({ certificateId: id }));
      assert.equal(desc.certificateDescription?.status, 'PENDING_ACTIVATION');
      assert.equal(desc.certificateDescription?.caCertificateId, caId);
      await until(() => messages.length > 0);
      assert.equal(messages[0].topic, `$aws/events/certificates/registered/${caId}`);
      assert.deepEqual({ ...messages[0].body, timestamp: 0, certificateRegistrationTimestamp: 0 }, {
        certificateId: id,
        caCertificateId: caId,
        timestamp: 0,
        certificateStatus: 'PENDING_ACTIVATION',
        awsAccountId: SCOPE.accountId,
        certificateRegistrationTimestamp: 0,
      });
    });

    test('presence events on connect and disconnect; a second connection with the same client id takes over', async () => {
      const { messages } = await listen('$aws/events/presence/+/+');
      const d = await active();
      const first = await connect(d, 'presence-1');
      await until(() => messages.some((m) => m.topic === '$aws/events/presence/connected/presence-1'));
      const connected = messages.find((m) => m.topic === '$aws/events/presence/connected/presence-1')!.body;
      assert.equal(connected.eventType, 'connected');
      assert.equal(connected.clientId, 'presence-1');
      assert.equal(connected.principalIdentifier, d.id);
      assert.equal(typeof connected.sessionIdentifier, 'string');
      assert.equal(typeof connected.timestamp, 'number');
      const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
      const second = await connect(d, 'presence-1');
      await closed;
      await until(() => messages.some((m) => m.topic === '$aws/events/presence/disconnected/presence-1'));
      const gone = messages.find((m) => m.topic === '$aws/events/presence/disconnected/presence-1')!.body;
      assert.equal(gone.disconnectReason, 'DUPLICATE_CLIENTID');
      assert.equal(gone.clientInitiatedDisconnect, false);
      assert.equal(gone.sessionIdentifier, connected.sessionIdentifier);
      first.end(true);
      await second.endAsync();
      await until(() => messages.some((m) => m.topic === '$aws/events/presence/disconnected/presence-1' && m.body.disconnectReason === 'CLIENT_INITIATED_DISCONNECT'));
    });

    test('UpdateCertificate INACTIVE closes the live session within one second, and the next connect is refused', async () => {
      const d = await active();
      const c = await connect(d, 'revoke-me');
      const closed = new Promise<number>((resolve) => c.once('close', () => resolve(Date.now())));
      const t0 = Date.now();
      await client.send(new UpdateCertificateCommand({ certificateId: d.id!, newStatus: 'INACTIVE' }));
      const at = await closed;
      assert.ok(at - t0 < 1000, `closed after ${at - t0} ms`);
      await refused(d, 'revoke-me');
    });

    test('policies: none attached is CONNACK 5; ${iot:Connection.Thing.ThingName}/* lets a thing publish to its own topic, not to another (connection closed)', async () => {
      await refused(await active(false), 'no-policy');
      await client.send(
        new CreatePolicyCommand({
          policyName: 'own-topic',
          policyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:us-east-1:000000000000:client/${iot:Connection.Thing.ThingName}' },
              { Effect: 'Allow', Action: 'iot:Publish', Resource: 'arn:aws:iot:us-east-1:000000000000:topic/${iot:Connection.Thing.ThingName}/*' },
            ],
          }),
        }),
      );
      const d = await active(false);
      await client.send(new AttachPolicyCommand({ policyName: 'own-topic', target: d.arn }));
      await client.send(new CreateThingCommand({ thingName: 'thing-a' }));
      await client.send(new AttachThingPrincipalCommand({ thingName: 'thing-a', principal: d.arn }));
      await refused(d, 'not-the-thing');
      const { messages } = await listen('thing-a/#');
      const c = await connect(d, 'thing-a');
      await c.publishAsync('thing-a/telemetry', JSON.stringify({ ok: true }), { qos: 1 });
      await until(() => messages.some((m) => m.topic === 'thing-a/telemetry'));
      const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
      c.publish('thing-b/telemetry', '{}', { qos: 1 });
      await closed;
    });

    test('an audit mitigation task that deactivates the certificate disconnects the live device', async () => {
      const d = await active();
      const c = await connect(d, 'audited');
      const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      const audit = await injectFindings(url, { findings: [certFinding(d.id!)] });
      await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 'broker-cert-off', target: { auditTaskId: audit.taskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['cert-off'] } }));
      assert.equal((await waitAudit(client, 'broker-cert-off')).taskStatus, 'COMPLETED');
      await closed;
      await refused(d, 'audited');
    });

    test('connections are written as the connection events the audit checks read (one certificate, two client ids)', async () => {
      const from = Date.now() - 1000;
      const d = await active();
      const a = await connect(d, 'shared-a');
      const b = await connect(d, 'shared-b');
      await a.endAsync();
      await b.endAsync();
      let groups: Awaited<ReturnType<typeof server.store.repos.connectionEvents.sharedCertificateConnections>> = [];
      const end = Date.now() + 3000;
      while (Date.now() < end) {
        groups = await server.store.repos.connectionEvents.sharedCertificateConnections(SCOPE, from, Date.now() + 1000);
        const mine = groups.find((g) => g[0]?.certificateId === d.id);
        if (mine && mine.every((r) => r.disconnectedAt !== null) && mine.length >= 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const mine = groups.find((g) => g[0]?.certificateId === d.id);
      assert.ok(mine, 'the shared certificate is found');
      assert.deepEqual(mine.map((r) => r.clientId).sort(), ['shared-a', 'shared-b']);
      assert.ok(mine.every((r) => r.principal === `arn:aws:iot:us-east-1:000000000000:cert/${d.id}` && r.disconnectReason === 'CLIENT_INITIATED_DISCONNECT'));
    });

    test('mosquitto_pub with --cert/--key/--cafile publishes to a subscriber', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'warden-mosquitto-'));
      try {
        const d = await active();
        writeFileSync(join(dir, 'cert.pem'), d.cert);
        writeFileSync(join(dir, 'key.pem'), d.key);
        writeFileSync(join(dir, 'ca.pem'), ca);
        const { messages } = await listen('mosq/#');
        const r = await run('mosquitto_pub', ['-h', 'localhost', '-p', String(server.mqtt!.port), '--cafile', join(dir, 'ca.pem'), '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '-i', 'mosq-1', '-t', 'mosq/t', '-m', '{"from":"mosquitto"}', '-q', '1'], { timeoutMs: 10_000 });
        assert.equal(r.code, 0, r.stderr);
        await until(() => messages.some((m) => m.body.from === 'mosquitto'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

// How the broker carries out refusals, with a stand-in decision table in place of the policy
// engine (createServer's mqtt.authorizer): what a policy decides is the engine's to test
// (test/unit/policy-engine.test.ts), how a refusal is carried out is the broker's.
describe('MQTT broker: refusals of an authorizer (sqlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-broker-authz-'));
  let server: WardenServer;
  let client: ReturnType<typeof iot>;
  let ca = '';
  const open: mqtt.MqttClient[] = [];
  const asked: string[] = [];
  const table: Authorizer = {
    forSession: async (s: Session): Promise<SessionAuthorizer> => ({
      connect: () => (s.clientId === 'denied' ? 'IMPLICIT_DENY' : 'ALLOW'),
      publish: (topic, retain) => (asked.push(`publish ${topic} ${retain}`), topic.startsWith('forbidden/') || (retain && topic.startsWith('noretain/')) ? 'EXPLICIT_DENY' : 'ALLOW'),
      subscribe: (filter) => (filter.startsWith('secret/') ? 'IMPLICIT_DENY' : 'ALLOW'),
      receive: (topic) => (topic.startsWith('hidden/') ? 'EXPLICIT_DENY' : 'ALLOW'),
    }),
  };
  const connect = async (clientId: string): Promise<mqtt.MqttClient> => {
    const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    return new Promise((resolve, reject) => {
      const c = mqtt.connect(`mqtts://localhost:${server.mqtt!.port}`, { key: r.keyPair!.PrivateKey!, cert: r.certificatePem!, ca, clientId, protocolVersion: 4, reconnectPeriod: 0 });
      open.push(c);
      c.once('connect', () => resolve(c));
      c.once('error', (e) => (c.end(true), reject(e)));
    });
  };

  before(async () => {
    server = await createServer({ port: 0, dataDir, logLevel: 'silent', engine: false, mqtt: { port: 0, authorizer: table } });
    client = iot(await server.listen());
    ca = server.mqtt!.caPem;
  });
  after(async () => {
    for (const c of open) c.end(true);
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a denied iot:Connect is CONNACK 5', async () => {
    await assert.rejects(connect('denied'), (e: Error & { code?: number }) => e.code === 5);
  });

  test('a denied subscribe is SUBACK 0x80; a denied receive is not delivered; a denied publish (3.1.1) closes the connection', async () => {
    const sub = await connect('subscriber');
    // mqtt.js fails the whole call when one grant is 0x80; the SUBACK it got rides on the error.
    const suback = await sub.subscribeAsync(['secret/a', 'open/#', 'hidden/#'], { qos: 1 }).then(
      () => assert.fail('a grant should be 0x80'),
      (e: Error & { packet?: { granted?: number[] } }) => e.packet?.granted,
    );
    assert.deepEqual(suback, [128, 1, 1]);
    const got: string[] = [];
    sub.on('message', (topic) => got.push(topic));
    const pub = await connect('publisher');
    await pub.publishAsync('hidden/x', 'h', { qos: 1 });
    await pub.publishAsync('open/x', 'o', { qos: 1 });
    const end = Date.now() + 2000;
    while (!got.includes('open/x') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, ['open/x']);
    const closed = new Promise<void>((resolve) => pub.once('close', () => resolve()));
    pub.publish('forbidden/x', 'f', { qos: 1 });
    await closed;
    const retainer = await connect('retainer');
    const closedToo = new Promise<void>((resolve) => retainer.once('close', () => resolve()));
    retainer.publish('noretain/x', 'r', { qos: 1, retain: true });
    await closedToo;
    assert.ok(asked.includes('publish noretain/x true'));
  });

  test('devices cannot publish under $aws/events/', async () => {
    const c = await connect('spoofer');
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish('$aws/events/presence/connected/someone', '{}', { qos: 1 });
    await closed;
  });
});
