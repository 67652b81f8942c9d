// The broker under abuse, against a real `warden serve` process (SQLite) with its MQTT port on:
// malformed MQTT after a valid mutual-TLS handshake, a storm of connections, TLS handshakes that
// never finish, and payloads around AWS IoT's 128 KiB message limit. After each abuse the
// process is still serving: it is alive, ListThings answers promptly (under 3 s, generous for a
// loaded two-core machine; a stalled broker takes its 10 s handshake timeout or more), and a good
// device connects, subscribes, publishes and receives its own message.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  ListThingsCommand,
  RegisterCertificateWithoutCACommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type mqtt from 'mqtt';
import { iot, startServer, type Running } from '../harness.js';
import { closed, connectDevice, ecDevice, until, type Device, type Target } from './devices.js';

/** AWS IoT Core's largest message payload. */
const MAX_PAYLOAD = 128 * 1024;

// --- Raw MQTT 3.1.1 bytes ---------------------------------------------------------------------

const str = (s: string): Buffer => {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
/** MQTT's variable-length "remaining length" (1 to 4 bytes). */
const remainingLength = (n: number): Buffer => {
  const out: number[] = [];
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    out.push(digit);
  } while (n > 0);
  return Buffer.from(out);
};
const packet = (first: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([first]), remainingLength(body.length), body]);
const connectPacket = (clientId: string, protocol = 'MQTT', level = 4): Buffer => packet(0x10, Buffer.concat([str(protocol), Buffer.from([level, 0x02, 0, 60]), str(clientId)]));
const publishPacket = (topic: string, payload: Buffer): Buffer => packet(0x30, Buffer.concat([str(topic), payload]));
const CONNACK_OK = Buffer.from([0x20, 0x02, 0x00, 0x00]);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('MQTT broker hardening: the process keeps serving (sqlite, a real warden serve process)', () => {
  let server: Running;
  let client: IoTClient;
  let port = 0;
  let ca = '';
  let good: Device;
  const open: mqtt.MqttClient[] = [];
  const sockets: net.Socket[] = [];
  let checks = 0;
  const target = (): Target => ({ port, ca, open });

  /** A mutual-TLS connection with `d`'s certificate, its handshake done; `received` collects what the broker sends. */
  const rawSession = (d: Device): Promise<{ socket: tls.TLSSocket; received: () => Buffer; ended: Promise<void> }> =>
    new Promise((resolve, reject) => {
      const socket = tls.connect({ host: 'localhost', port, ca, cert: d.cert, key: d.key });
      sockets.push(socket);
      const chunks: Buffer[] = [];
      socket.on('data', (b) => chunks.push(b));
      const ended = new Promise<void>((r) => socket.once('close', () => r()));
      socket.once('secureConnect', () => resolve({ socket, received: () => Buffer.concat(chunks), ended }));
      socket.once('error', (e) => (socket.destroyed ? undefined : reject(e)));
      socket.on('error', () => undefined);
    });
  /** `p` settles within `ms` (true) or not (false). */
  const within = (p: Promise<unknown>, ms: number): Promise<boolean> =>
    Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);

  /** The process is alive, the API answers promptly, a good device connects, subscribes, publishes and gets its message. */
  const stillServing = async (): Promise<void> => {
    assert.equal(server.proc.exitCode, null, `warden exited:\n${server.output.slice(-30).join('\n')}`);
    const t0 = Date.now();
    await client.send(new ListThingsCommand({}));
    const apiMs = Date.now() - t0;
    assert.ok(apiMs < 3000, `ListThings took ${apiMs} ms`);
    const n = ++checks;
    const t1 = Date.now();
    const c = await connectDevice(target(), good, `healthy-${n}`);
    const got: string[] = [];
    c.on('message', (_topic, payload) => got.push(payload.toString()));
    await c.subscribeAsync(`health/${n}`, { qos: 1 });
    await c.publishAsync(`health/${n}`, `ping ${n}`, { qos: 1 });
    await until(() => got.includes(`ping ${n}`), 5000, 'the good device did not get its own message');
    const mqttMs = Date.now() - t1;
    assert.ok(mqttMs < 5000, `connect, subscribe, publish and receive took ${mqttMs} ms`);
    await c.endAsync();
  };

  before(async () => {
    port = await freePort();
    server = await startServer({ backend: 'sqlite', args: ['--mqtt-port', String(port)] });
    client = iot(server.url);
    ca = await (await fetch(`${server.url}/_warden/ca.pem`)).text();
    await client.send(new CreatePolicyCommand({ policyName: 'open', policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }) }));
    const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await client.send(new AttachPolicyCommand({ policyName: 'open', target: r.certificateArn! }));
    good = { cert: r.certificatePem!, key: r.keyPair!.PrivateKey! };
    await stillServing();
  });

  after(async () => {
    for (const c of open) c.end(true);
    for (const s of sockets) s.destroy();
    client?.destroy();
    await server?.cleanup();
  });

  test('malformed MQTT after a valid handshake: each connection is closed (a truncated one left waiting), none is accepted, the process keeps serving', async () => {
    const cases: { name: string; bytes: Buffer; then?: 'end' | 'wait'; connectFirst?: boolean; mustClose: boolean }[] = [
      { name: 'garbage bytes', bytes: Buffer.concat([Buffer.from([0x00, 0xff, 0xfe]), Buffer.alloc(1021, 0xa5)]), mustClose: true },
      { name: 'a CONNECT with protocol name MQXX', bytes: connectPacket('bad-name', 'MQXX'), mustClose: true },
      { name: 'a CONNECT with protocol level 9', bytes: connectPacket('bad-level', 'MQTT', 9), mustClose: true },
      { name: 'a remaining length of five bytes (the encoding allows four)', bytes: Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]), mustClose: true },
      { name: 'a PUBLISH before any CONNECT', bytes: publishPacket('early/topic', Buffer.from('x')), mustClose: true },
      // A declared length over what a 128 KB PUBLISH can take is cut off as it is read, before it is buffered.
      { name: 'a CONNECT declaring 256 MB, then 1 MiB of it', bytes: Buffer.concat([Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(1024 * 1024, 0x41)]), then: 'wait', mustClose: true },
      { name: 'after CONNECT, a PUBLISH declaring 256 MB, then 2 MiB of it', bytes: Buffer.concat([Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), str('big/declared'), Buffer.alloc(2 * 1024 * 1024, 0x42)]), connectFirst: true, then: 'wait', mustClose: true },
      { name: 'after CONNECT, a PUBLISH declaring 200,000 bytes (over 128 KB plus the longest topic)', bytes: Buffer.from([0x30, 0xc0, 0x9a, 0x0c]), connectFirst: true, then: 'wait', mustClose: true },
      { name: 'half a CONNECT, then the client closes', bytes: connectPacket('truncated').subarray(0, 9), then: 'end', mustClose: false },
    ];
    for (const c of cases) {
      const s = await rawSession(good);
      if (c.connectFirst) {
        s.socket.write(connectPacket(`malformed-${cases.indexOf(c)}`));
        await until(() => s.received().length >= 4, 3000, `${c.name}: no CONNACK`);
        assert.ok(s.received().subarray(0, 4).equals(CONNACK_OK), `${c.name}: CONNACK 0 first`);
      }
      s.socket.write(c.bytes);
      if (c.then === 'end') s.socket.end();
      const t0 = Date.now();
      const shut = await within(s.ended, 3000);
      console.log(`# ${c.name}: ${shut ? `closed by the broker after ${Date.now() - t0} ms` : 'still open after 3 s'}`);
      if (c.mustClose) assert.ok(shut, `${c.name}: the broker should close the connection`);
      if (!c.connectFirst) assert.ok(!s.received().subarray(0, 4).equals(CONNACK_OK), `${c.name}: no CONNACK 0`);
      // The process serves others while this connection is still open (or after it closed).
      await stillServing();
      s.socket.destroy();
    }
    // A second CONNECT on a connected session is a protocol violation [MQTT-3.1.0-2]: closed.
    const s = await rawSession(good);
    s.socket.write(connectPacket('twice'));
    await until(() => s.received().length >= 4, 3000, 'no CONNACK');
    assert.ok(s.received().subarray(0, 4).equals(CONNACK_OK), `CONNACK 0, got ${s.received().toString('hex')}`);
    s.socket.write(connectPacket('twice'));
    assert.ok(await within(s.ended, 3000), 'a second CONNECT closes the connection');
    await stillServing();
  });

  test('a storm of 300 connections at once (registered and unknown certificates mixed): every one is answered, CONNACK 0 or 5', async () => {
    const known: Device[] = [];
    const unknown: Device[] = [];
    for (let i = 0; i < 15; i++) {
      const d = await ecDevice();
      const r = await client.send(new RegisterCertificateWithoutCACommand({ certificatePem: d.cert, status: 'ACTIVE' }));
      await client.send(new AttachPolicyCommand({ policyName: 'open', target: r.certificateArn! }));
      known.push(d);
      unknown.push(await ecDevice());
    }
    const t0 = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const registered = i % 2 === 0;
        const d = (registered ? known : unknown)[i % 15];
        return connectDevice(target(), d, `storm-${i}`, { connectTimeout: 60_000 }).then(
          (c) => ({ registered, code: 0, c }),
          (e: Error & { code?: number }) => ({ registered, code: e.code ?? e.message, c: undefined }),
        );
      }),
    );
    const stormMs = Date.now() - t0;
    const tally = (registered: boolean) => outcomes.filter((o) => o.registered === registered).map((o) => o.code);
    assert.deepEqual([...new Set(tally(true))], [0], `registered certificates: ${JSON.stringify(tally(true))}`);
    assert.deepEqual([...new Set(tally(false))], [5], `unknown certificates: ${JSON.stringify(tally(false))}`);
    console.log(`# storm: 300 connections answered in ${stormMs} ms`);
    await stillServing();
    await Promise.all(outcomes.map((o) => o.c?.endAsync()));
    await stillServing();
  });

  test('200 TLS handshakes that never finish (silent sockets, half a ClientHello) stall nothing, and the handshake timeout closes them', async () => {
    // The first bytes of a TLS record carrying a ClientHello, then nothing more.
    const partialHello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);
    const slow = await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) =>
          new Promise<{ socket: net.Socket; ended: Promise<void> }>((resolve, reject) => {
            const socket = net.connect({ host: '127.0.0.1', port });
            sockets.push(socket);
            socket.on('error', () => undefined);
            const ended = new Promise<void>((r) => socket.once('close', () => r()));
            socket.once('connect', () => {
              if (i % 2 === 1) socket.write(partialHello);
              resolve({ socket, ended });
            });
            socket.once('error', reject);
          }),
      ),
    );
    const t0 = Date.now();
    await stillServing();
    await stillServing();
    assert.ok(Date.now() - t0 < 8000, `two health checks with 200 stuck handshakes took ${Date.now() - t0} ms`);
    assert.ok(slow.every((s) => !s.socket.destroyed), 'the slow sockets were still open during the checks');
    // The server's handshakeTimeout (10 s) then closes every one of them.
    assert.ok(await within(Promise.all(slow.map((s) => s.ended)), 15_000), `${slow.filter((s) => !s.socket.destroyed).length} slow sockets still open after 15 s`);
    await stillServing();
  });

  test(`payloads: ${MAX_PAYLOAD} bytes are delivered; ${MAX_PAYLOAD + 1} bytes close the publisher's connection (MQTT 3.1.1) and are not delivered`, async () => {
    const sub = await connectDevice(target(), good, 'big-subscriber');
    const got: { topic: string; size: number }[] = [];
    sub.on('message', (topic, payload) => got.push({ topic, size: payload.length }));
    await sub.subscribeAsync('big/#', { qos: 1 });
    const pub = await connectDevice(target(), good, 'big-publisher');
    await pub.publishAsync('big/max', Buffer.alloc(MAX_PAYLOAD, 0x61), { qos: 1 });
    await until(() => got.some((m) => m.topic === 'big/max'), 5000, 'the 128 KiB message was not delivered');
    assert.equal(got.find((m) => m.topic === 'big/max')?.size, MAX_PAYLOAD);

    const shut = closed(pub);
    pub.publish('big/over', Buffer.alloc(MAX_PAYLOAD + 1, 0x62), { qos: 1 });
    assert.ok(await within(shut, 3000), `a ${MAX_PAYLOAD + 1}-byte payload should close the connection`);
    // A message published after the oversized one arrives; the oversized one does not.
    const marker = await connectDevice(target(), good, 'big-marker');
    await marker.publishAsync('big/after', 'after', { qos: 1 });
    await until(() => got.some((m) => m.topic === 'big/after'), 3000, 'the later message was not delivered');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(got.filter((m) => m.topic === 'big/over'), [], 'the oversized message was delivered');
    await marker.endAsync();
    await sub.endAsync();
    await stillServing();
  });
});
