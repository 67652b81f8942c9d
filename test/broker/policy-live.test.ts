// Policy changes reach live MQTT sessions (issue 15): a connected device is judged by the policies
// as they are after a change committed, on its very next packet, without reconnecting. Both
// backends; an in-process server with `mqtt: { port: 0 }`, certificates from
// CreateKeysAndCertificate and the `mqtt` npm client (MQTT 3.1.1, where a denied publish closes
// the connection).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  RemoveThingFromThingGroupCommand,
} from '@aws-sdk/client-iot';
import type mqtt from 'mqtt';
import { createServer, type WardenServer } from '../../src/index.js';
import { connectDevice, type Device } from './devices.js';
import { BACKENDS, dropSchema, freshSchema, iot, PG_BASE } from '../harness.js';

const doc = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });
const ALLOW_ALL = doc({ Effect: 'Allow', Action: 'iot:*', Resource: '*' });

for (const backend of BACKENDS) {
  describe(`MQTT broker: policy changes reach live sessions (${backend})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-policy-live-'));
    const schema = freshSchema();
    let server: WardenServer;
    let client: ReturnType<typeof iot>;
    let ca = '';
    const open: mqtt.MqttClient[] = [];

    const device = async (): Promise<{ cert: string; key: string; arn: string }> => {
      const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      return { cert: r.certificatePem!, key: r.keyPair!.PrivateKey!, arn: r.certificateArn! };
    };
    const connect = (d: Device, clientId: string): Promise<mqtt.MqttClient> => connectDevice({ port: server.mqtt!.port, ca, open }, d, clientId);
    /** The next publish (QoS 1) closes the connection, within two seconds. */
    const refusedPublish = async (c: mqtt.MqttClient, topic: string): Promise<void> => {
      assert.equal(c.connected, true, 'still connected before the publish');
      const closed = new Promise<boolean>((resolve) => c.once('close', () => resolve(true)));
      const acked = new Promise<boolean>((resolve) => c.publish(topic, '{}', { qos: 1 }, (e) => !e && resolve(false)));
      const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref());
      assert.equal(await Promise.race([closed, acked, timeout]), true, `publish to ${topic} was not refused`);
    };
    /** A thing named like the client id, with the certificate attached (its groups' policies apply). */
    const thingDevice = async (thingName: string) => {
      const d = await device();
      await client.send(new CreateThingCommand({ thingName }));
      await client.send(new AttachThingPrincipalCommand({ thingName, principal: d.arn }));
      return d;
    };

    before(async () => {
      server = await createServer({
        port: 0,
        dataDir,
        databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined,
        logLevel: 'silent',
        mqtt: { port: 0 },
      });
      const url = await server.listen();
      client = iot(url);
      ca = await (await fetch(`${url}/_warden/ca.pem`)).text();
      await client.send(new CreatePolicyCommand({ policyName: 'open', policyDocument: ALLOW_ALL }));
    });

    after(async () => {
      for (const c of open) c.end(true);
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    test('a new default version that denies the topic refuses the next publish (connection closed)', async () => {
      await client.send(new CreatePolicyCommand({ policyName: 'versioned', policyDocument: ALLOW_ALL }));
      const d = await device();
      await client.send(new AttachPolicyCommand({ policyName: 'versioned', target: d.arn }));
      const c = await connect(d, 'versioned-device');
      await c.publishAsync('live/a', '{}', { qos: 1 });
      await client.send(
        new CreatePolicyVersionCommand({
          policyName: 'versioned',
          setAsDefault: true,
          policyDocument: doc({ Effect: 'Allow', Action: 'iot:*', Resource: '*' }, { Effect: 'Deny', Action: 'iot:Publish', Resource: 'arn:aws:iot:us-east-1:000000000000:topic/live/*' }),
        }),
      );
      await refusedPublish(c, 'live/a');
    });

    test('a device allowed through its thing group loses it when removed from the group', async () => {
      await client.send(new CreateThingGroupCommand({ thingGroupName: 'fleet' }));
      await client.send(new AttachPolicyCommand({ policyName: 'open', target: `arn:aws:iot:us-east-1:000000000000:thinggroup/fleet` }));
      const d = await thingDevice('grouped');
      await client.send(new AddThingToThingGroupCommand({ thingName: 'grouped', thingGroupName: 'fleet' }));
      const c = await connect(d, 'grouped');
      await c.publishAsync('grouped/telemetry', '{}', { qos: 1 });
      await client.send(new RemoveThingFromThingGroupCommand({ thingName: 'grouped', thingGroupName: 'fleet' }));
      await refusedPublish(c, 'grouped/telemetry');
    });

    test('a device added to a quarantine group whose policy denies everything is stopped on its next publish', async () => {
      await client.send(new CreatePolicyCommand({ policyName: 'deny-all', policyDocument: doc({ Effect: 'Deny', Action: 'iot:*', Resource: '*' }) }));
      await client.send(new CreateThingGroupCommand({ thingGroupName: 'quarantine' }));
      await client.send(new AttachPolicyCommand({ policyName: 'deny-all', target: `arn:aws:iot:us-east-1:000000000000:thinggroup/quarantine` }));
      const d = await thingDevice('suspect');
      await client.send(new AttachPolicyCommand({ policyName: 'open', target: d.arn }));
      const c = await connect(d, 'suspect');
      await c.publishAsync('suspect/telemetry', '{}', { qos: 1 });
      await client.send(new AddThingToThingGroupCommand({ thingName: 'suspect', thingGroupName: 'quarantine' }));
      await refusedPublish(c, 'suspect/telemetry');
    });

    test('DetachThingPrincipal: the thing group\'s policy no longer applies to the certificate', async () => {
      const d = await thingDevice('unpaired');
      await client.send(new AddThingToThingGroupCommand({ thingName: 'unpaired', thingGroupName: 'fleet' }));
      const c = await connect(d, 'unpaired');
      await c.publishAsync('unpaired/telemetry', '{}', { qos: 1 });
      await client.send(new DetachThingPrincipalCommand({ thingName: 'unpaired', principal: d.arn }));
      await refusedPublish(c, 'unpaired/telemetry');
    });

    test('DetachPolicy from the certificate stops the device on its next publish', async () => {
      const d = await device();
      await client.send(new AttachPolicyCommand({ policyName: 'open', target: d.arn }));
      const c = await connect(d, 'detached-device');
      await c.publishAsync('detached/a', '{}', { qos: 1 });
      await client.send(new DetachPolicyCommand({ policyName: 'open', target: d.arn }));
      await refusedPublish(c, 'detached/a');
    });
  });
}
