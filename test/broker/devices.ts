// What the broker tests share: device certificates made locally (EC P-256 with @peculiar/x509),
// connecting a device with the `mqtt` npm client (MQTT 3.1.1, mutual TLS, no reconnects), a
// connection that must be refused with CONNACK 5, and waiting for a condition.
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import mqtt from 'mqtt';
import type { TestCa } from '../operations/certificates-helpers.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Device {
  cert: string;
  key: string;
  id?: string;
}

/** An EC P-256 key and a certificate for it: self-signed, or signed by `issuer`. */
export async function ecDevice(issuer?: TestCa): Promise<Device> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const subject = `CN=device-${Math.random().toString(36).slice(2, 10)}`;
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer?.name ?? subject,
    publicKey: keys.publicKey,
    signingKey: (issuer?.keys ?? keys).privateKey,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000 * 30),
    signingAlgorithm: EC,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey);
  return { cert: cert.toString('pem'), key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

export interface Target {
  port: number;
  /** The Warden root CA (PEM) the client trusts. */
  ca: string;
  /** Every client made is pushed here, so after() can end them. */
  open?: mqtt.MqttClient[];
}

/** Connects `d` as `clientId` to localhost; resolves on CONNACK 0, rejects with the client's error otherwise. */
export function connectDevice(t: Target, d: Device, clientId: string, extra: Partial<mqtt.IClientOptions> = {}): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(`mqtts://localhost:${t.port}`, { key: d.key, cert: d.cert, ca: t.ca, clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...extra });
    t.open?.push(c);
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.end(true);
      reject(e);
    });
  });
}

/** The connection is answered CONNACK 5 (not authorized). */
export async function refusedConnect(t: Target, d: Device, clientId: string): Promise<void> {
  await assert.rejects(connectDevice(t, d, clientId), (e: Error & { code?: number }) => {
    assert.equal(e.code, 5, `CONNACK not authorized, got ${e.message}`);
    return true;
  });
}

/** Polls `what` every 20 ms until it holds; fails after `ms`. */
export async function until(what: () => boolean, ms = 3000, message = 'timed out'): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(message);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves when the client's connection closes. */
export const closed = (c: mqtt.MqttClient): Promise<void> => new Promise((resolve) => c.once('close', () => resolve()));
