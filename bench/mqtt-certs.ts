import 'reflect-metadata';
import { createHash, generateKeyPairSync } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { makeBenchCa } from './registry-certs.js';

/**
 * The keys and certificates of `bench:mqtt`, made before anything is timed: one EC P-256 bench
 * CA; for every device and every subscriber its own EC P-256 key and a certificate the CA signs
 * (distinct subject, serial and key); and a server certificate for the Mosquitto anchor, also
 * signed by the bench CA, with an RSA 2048 key like the one Warden's broker presents, so both
 * brokers pay the same for their side of a handshake. `id` is the SHA-256 of the DER, the
 * certificate id AWS and Warden compute.
 */
export interface ClientCredential {
  certPem: string;
  keyPem: string;
  id: string;
}

export interface BenchPki {
  caPem: string;
  devices: ClientCredential[];
  subscribers: ClientCredential[];
  /** The Mosquitto anchor's server certificate (localhost, 127.0.0.1) and key. */
  server: { certPem: string; keyPem: string };
}


export async function makePki(devices: number, subscribers: number): Promise<BenchPki> {
  const { ca, issue: issueSerial } = await makeBenchCa('bench:mqtt', 30);
  let serial = 0x100000;
  const issue = (subject: string, spki: Buffer, extensions: x509.Extension[]) => issueSerial(subject, serial++, spki, extensions);

  const client = async (subject: string): Promise<ClientCredential> => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const cert = await issue(subject, publicKey.export({ type: 'spki', format: 'der' }), [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ]);
    return {
      certPem: cert.toString('pem'),
      keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      id: createHash('sha256').update(new Uint8Array(cert.rawData)).digest('hex'),
    };
  };

  const many = async (count: number, subject: (i: number) => string): Promise<ClientCredential[]> => {
    const out: ClientCredential[] = new Array(count);
    const BATCH = 64;
    for (let i = 0; i < count; i += BATCH) {
      await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, async (_, k) => (out[i + k] = await client(subject(i + k)))));
    }
    return out;
  };

  const deviceCreds = await many(devices, (i) => `CN=bench-device-${i}, O=Warden bench`);
  const subscriberCreds = await many(subscribers, (i) => `CN=bench-subscriber-${i}, O=Warden bench`);
  const ids = new Set([...deviceCreds, ...subscriberCreds].map((c) => c.id));
  if (ids.size !== devices + subscribers) throw new Error('generated certificates are not all distinct');

  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serverCert = await issue('CN=localhost', rsa.publicKey.export({ type: 'spki', format: 'der' }), [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ]),
  ]);
  return {
    caPem: ca.toString('pem'),
    devices: deviceCreds,
    subscribers: subscriberCreds,
    server: { certPem: serverCert.toString('pem'), keyPem: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
  };
}
