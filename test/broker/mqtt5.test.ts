// MQTT 5 on the broker, both backends: the `mqtt` npm client with protocolVersion 5 and Debian's
// mosquitto_pub -V mqttv5 over mutual TLS, with certificates and policies made through the API.
// What AWS IoT Core's MQTT 5 adds: reason codes (CONNACK, PUBACK and SUBACK 0x87, server
// DISCONNECT 0x87 / 0x8E / 0x94 / 0x95), a refused publish that leaves the session connected,
// the CONNACK's limits, topic aliases, and properties carried to subscribers of either version.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AttachPolicyCommand, AttachThingPrincipalCommand, CreateKeysAndCertificateCommand, CreatePolicyCommand, CreateThingCommand, UpdateCertificateCommand } from '@aws-sdk/client-iot';
import type mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { createServer, type WardenServer } from '../../src/index.js';
import { BACKENDS, dropSchema, freshSchema, iot, PG_BASE, run } from '../harness.js';
import { closed, connectDevice, ecDevice, until, type Device } from './devices.js';

/** Only the client's own topics: `${iot:ClientId}/...`. */
const OWN_TOPICS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' },
    { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: 'arn:aws:iot:us-east-1:000000000000:topic/${iot:ClientId}/*' },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:us-east-1:000000000000:topicfilter/${iot:ClientId}/*' },
    { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: 'arn:aws:iot:us-east-1:000000000000:topic/$aws/things/${iot:ClientId}/*' },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:us-east-1:000000000000:topicfilter/$aws/things/${iot:ClientId}/*' },
  ],
});

type Disconnect = { reasonCode?: number; properties?: { reasonString?: string } };

for (const backend of BACKENDS) {
  describe(`MQTT 5 (${backend})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-mqtt5-'));
    const schema = freshSchema();
    let server: WardenServer;
    let client: ReturnType<typeof iot>;
    let ca = '';
    const open: mqtt.MqttClient[] = [];

    const target = () => ({ port: server.mqtt!.port, ca, open });
    const v5 = (d: Device, clientId: string, extra: Partial<mqtt.IClientOptions> = {}) => connectDevice(target(), d, clientId, { protocolVersion: 5, ...extra });
    /** An ACTIVE certificate with `policy` attached. */
    const device = async (policy = 'own'): Promise<Device> => {
      const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await client.send(new AttachPolicyCommand({ policyName: policy, target: r.certificateArn! }));
      return { cert: r.certificatePem!, key: r.keyPair!.PrivateKey!, id: r.certificateId };
    };
    const disconnectPacket = (c: mqtt.MqttClient): Promise<Disconnect> => new Promise((resolve) => c.once('disconnect', (p: Disconnect) => resolve(p)));

    before(async () => {
      server = await createServer({
        port: 0,
        dataDir,
        databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined,
        logLevel: 'silent',
        mqtt: { port: 0 },
      });
      client = iot(await server.listen());
      ca = server.mqtt!.caPem;
      await client.send(new CreatePolicyCommand({ policyName: 'own', policyDocument: OWN_TOPICS }));
      await client.send(new CreatePolicyCommand({ policyName: 'open', policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }) }));
    });

    after(async () => {
      for (const c of open) c.end(true);
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    test("CONNACK 0 advertises AWS IoT Core's limits; an unknown certificate gets CONNACK 0x87", async () => {
      const connack = await new Promise<{ reasonCode?: number; properties?: Record<string, unknown> }>((resolve, reject) => {
        void device().then((d) => v5(d, 'limits').then((c) => resolve((c as unknown as { connackPacket?: { reasonCode?: number; properties?: Record<string, unknown> } }).connackPacket ?? {}), reject));
      });
      assert.equal(connack.reasonCode, 0);
      assert.equal(connack.properties?.topicAliasMaximum, 8);
      assert.equal(connack.properties?.receiveMaximum, 100);
      assert.ok((connack.properties?.maximumPacketSize as number) > 131_072, `maximumPacketSize ${connack.properties?.maximumPacketSize}`);
      await assert.rejects(v5(await ecDevice(), 'stranger'), (e: Error & { code?: number }) => {
        assert.equal(e.code, 0x87, `CONNACK 0x87, got ${e.message}`);
        return true;
      });
    });

    test('a refused publish is PUBACK 0x87 and the session stays connected; a refused subscribe is SUBACK 0x87', async () => {
      const c = await v5(await device(), 'dev-a');
      const got: string[] = [];
      c.on('message', (topic) => got.push(topic));
      await c.subscribeAsync('dev-a/#', { qos: 1 });
      await assert.rejects(c.publishAsync('dev-b/t', 'not mine', { qos: 1 }), (e: Error & { code?: number }) => {
        assert.equal(e.code, 0x87, `PUBACK 0x87, got ${e.message}`);
        return true;
      });
      await c.publishAsync('dev-b/t', 'not mine, QoS 0', { qos: 0 });
      await assert.rejects(c.publishAsync('$aws/events/presence/connected/dev-a', '{}', { qos: 1 }), (e: Error & { code?: number }) => e.code === 0x87);
      assert.ok(c.connected, 'still connected after refused publishes');
      await c.publishAsync('dev-a/t', 'mine', { qos: 1 });
      await until(() => got.includes('dev-a/t'));
      const granted = await c.subscribeAsync(['dev-b/#', 'dev-a/x'], { qos: 1 }).then(
        (g) => g.map((x) => x.qos),
        (e: Error & { packet?: { granted?: number[] } }) => e.packet?.granted,
      );
      assert.deepEqual(granted, [0x87, 1]);
      assert.ok(c.connected);
      await c.endAsync();
    });

    test('user properties, content type, response topic and correlation data reach a v5 subscriber; a 3.1.1 subscriber gets the message too', async () => {
      const sub5 = await v5(await device('open'), 'sub-5');
      const sub4 = await connectDevice(target(), await device('open'), 'sub-4');
      const at5: { topic: string; props?: Record<string, unknown>; body: string }[] = [];
      const at4: string[] = [];
      sub5.on('message', (topic, payload, packet) => at5.push({ topic, props: packet.properties as Record<string, unknown>, body: payload.toString() }));
      sub4.on('message', (_t, payload) => at4.push(payload.toString()));
      await sub5.subscribeAsync('props/#', { qos: 1 });
      await sub4.subscribeAsync('props/#', { qos: 1 });
      const pub = await v5(await device('open'), 'pub-5');
      await pub.publishAsync('props/a', 'hello', {
        qos: 1,
        properties: { userProperties: { site: 'north', rack: '7' }, contentType: 'text/plain', responseTopic: 'props/reply', correlationData: Buffer.from('c-1'), payloadFormatIndicator: true },
      });
      await until(() => at5.length === 1 && at4.length === 1);
      assert.equal(at5[0].body, 'hello');
      assert.deepEqual({ ...(at5[0].props?.userProperties as object) }, { site: 'north', rack: '7' });
      assert.equal(at5[0].props?.contentType, 'text/plain');
      assert.equal(at5[0].props?.responseTopic, 'props/reply');
      assert.equal(Buffer.from(at5[0].props?.correlationData as Buffer).toString(), 'c-1');
      assert.deepEqual(at4, ['hello']);
    });

    test('topic aliases: a topic registered with an alias is published by alias alone, checked against the policy; an alias over 8 is DISCONNECT 0x94', async () => {
      const c = await v5(await device(), 'dev-alias');
      const got: { topic: string; body: string }[] = [];
      c.on('message', (topic, payload) => got.push({ topic, body: payload.toString() }));
      await c.subscribeAsync('dev-alias/#', { qos: 1 });
      await c.publishAsync('dev-alias/t', 'first', { qos: 1, properties: { topicAlias: 1 } });
      await c.publishAsync('', 'second', { qos: 1, properties: { topicAlias: 1 } });
      await until(() => got.length === 2);
      assert.deepEqual(got, [{ topic: 'dev-alias/t', body: 'first' }, { topic: 'dev-alias/t', body: 'second' }]);
      // The policy is asked about the aliased topic, not the empty one.
      await c.publishAsync('dev-other/t', 'x', { qos: 1, properties: { topicAlias: 2 } }).catch(() => undefined);
      await assert.rejects(c.publishAsync('', 'y', { qos: 1, properties: { topicAlias: 2 } }), (e: Error & { code?: number }) => e.code === 0x87);
      const d = disconnectPacket(c);
      // mqtt.js checks the alias against the CONNACK's maximum itself: the packet is written raw.
      mqttPacket.writeToStream({ cmd: 'publish', topic: 'dev-alias/t', payload: Buffer.from('over'), qos: 0, dup: false, retain: false, properties: { topicAlias: 9 } }, c.stream, { protocolVersion: 5 });
      assert.equal((await d).reasonCode, 0x94);
    });

    test('Device Defender reports published with a topic alias reach Detect and are answered on /accepted and /rejected', async () => {
      const thingName = 'dev-report';
      await client.send(new CreateThingCommand({ thingName }));
      const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await client.send(new AttachPolicyCommand({ policyName: 'own', target: r.certificateArn! }));
      await client.send(new AttachThingPrincipalCommand({ thingName, principal: r.certificateArn! }));
      const c = await v5({ cert: r.certificatePem!, key: r.keyPair!.PrivateKey! }, thingName);
      const answers: { topic: string; body: Record<string, unknown> }[] = [];
      c.on('message', (topic, payload) => answers.push({ topic, body: JSON.parse(payload.toString()) }));
      await c.subscribeAsync(`$aws/things/${thingName}/defender/metrics/json/+`, { qos: 1 });
      const report = (id: number) => JSON.stringify({ header: { report_id: id, version: '1.0' }, metrics: { listening_tcp_ports: { ports: [{ port: 22 }], total: 1 } } });
      const topic = `$aws/things/${thingName}/defender/metrics/json`;
      await c.publishAsync(topic, report(1), { qos: 1, properties: { topicAlias: 3 } });
      await c.publishAsync('', report(2), { qos: 1, properties: { topicAlias: 3 } });
      await until(() => answers.length === 2, 5000);
      // The second, by alias alone, reached Detect too: it came within 300 s of the first, so it is throttled.
      assert.deepEqual(answers.map((a) => [a.topic, a.body.status, a.body.reportId, (a.body.statusDetails as { ErrorCode?: string } | undefined)?.ErrorCode]).sort(), [
        [`${topic}/accepted`, 'ACCEPTED', 1, undefined],
        [`${topic}/rejected`, 'REJECTED', 2, 'Throttled'],
      ]);
    });

    test('UpdateCertificate INACTIVE: DISCONNECT 0x87; a second connection of the client id: DISCONNECT 0x8E to the first', async () => {
      const d = await device();
      const first = await v5(d, 'dev-twice');
      const takenOver = disconnectPacket(first);
      const second = await v5(d, 'dev-twice');
      assert.equal((await takenOver).reasonCode, 0x8e);
      const deactivated = disconnectPacket(second);
      const gone = closed(second);
      const t0 = Date.now();
      await client.send(new UpdateCertificateCommand({ certificateId: d.id!, newStatus: 'INACTIVE' }));
      assert.equal((await deactivated).reasonCode, 0x87);
      await gone;
      assert.ok(Date.now() - t0 < 1000, `closed in ${Date.now() - t0} ms`);
    });

    test('a payload over 128 KB is DISCONNECT 0x95 and is not delivered', async () => {
      const sub = await v5(await device('open'), 'big-sub');
      const got: number[] = [];
      sub.on('message', (_t, p) => got.push(p.length));
      await sub.subscribeAsync('big/#', { qos: 0 });
      const c = await v5(await device('open'), 'big-pub');
      const d = disconnectPacket(c);
      c.publish('big/t', Buffer.alloc(131_073), { qos: 1 });
      assert.equal((await d).reasonCode, 0x95);
      await c.publishAsync('big/t', 'late').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(got, []);
    });

    test('mosquitto_pub -V mqttv5 with a user property publishes to a v5 subscriber; to a topic its policy refuses, it is told 0x87', async () => {
      const sub = await v5(await device('open'), 'mosq5-sub');
      const got: { topic: string; props?: Record<string, unknown> }[] = [];
      sub.on('message', (topic, _p, packet) => got.push({ topic, props: packet.properties as Record<string, unknown> }));
      await sub.subscribeAsync('mosq5/#', { qos: 1 });
      const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await client.send(new AttachPolicyCommand({ policyName: 'own', target: r.certificateArn! }));
      const dir = mkdtempSync(join(tmpdir(), 'warden-mosq5-'));
      try {
        writeFileSync(join(dir, 'ca.pem'), ca);
        writeFileSync(join(dir, 'cert.pem'), r.certificatePem!);
        writeFileSync(join(dir, 'key.pem'), r.keyPair!.PrivateKey!);
        const args = (topic: string) => ['-V', 'mqttv5', '-h', 'localhost', '-p', String(server.mqtt!.port), '--cafile', join(dir, 'ca.pem'), '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '-i', 'mosq5', '-t', topic, '-m', 'from mosquitto', '-q', '1', '-D', 'publish', 'user-property', 'origin', 'debian', '-d'];
        const ok = await run('mosquitto_pub', args('mosq5/t'), { timeoutMs: 10_000 });
        assert.equal(ok.code, 0, ok.stderr + ok.stdout);
        await until(() => got.length === 1);
        assert.equal(got[0].topic, 'mosq5/t');
        assert.deepEqual({ ...(got[0].props?.userProperties as object) }, { origin: 'debian' });
        const refused = await run('mosquitto_pub', args('elsewhere/t'), { timeoutMs: 10_000 });
        assert.match(refused.stdout + refused.stderr, /not authori[sz]ed|135|0x87/i, refused.stdout + refused.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
