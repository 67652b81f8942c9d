// The Warden CA is stored: after a restart on the same data, new certificates are signed by the same CA.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { CreateKeysAndCertificateCommand, DescribeCertificateCommand } from '@aws-sdk/client-iot';
import { BACKENDS, dropSchema, iot, startServer, type Running } from '../harness.js';
import { storedWardenCa } from './certificates-helpers.js';

async function createCertificate(server: Running): Promise<{ id: string; cert: X509Certificate }> {
  const client = iot(server.url);
  try {
    const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    return { id: r.certificateId!, cert: new X509Certificate(r.certificatePem!) };
  } finally {
    client.destroy();
  }
}

for (const backend of BACKENDS) {
  describe(`the Warden CA across a restart (${backend})`, () => {
    test('a certificate made after the restart is signed by the CA stored before it', async () => {
      const first = await startServer({ backend, keep: true });
      let second: Running | undefined;
      try {
        const a = await createCertificate(first);
        await first.stop();
        const caBefore = await storedWardenCa(first);
        const ca = new X509Certificate(caBefore);
        assert.equal(ca.ca, true);
        assert.ok(a.cert.checkIssued(ca) && a.cert.verify(ca.publicKey), 'the first certificate is signed by the stored CA');

        second = await startServer({ backend, dataDir: first.dataDir, databaseUrl: first.databaseUrl });
        const b = await createCertificate(second);
        assert.notEqual(b.id, a.id);
        assert.ok(b.cert.verify(ca.publicKey), 'the certificate made after the restart is signed by the same CA key');
        assert.equal(b.cert.issuer, a.cert.issuer);
        const client = iot(second.url);
        const d = await client.send(new DescribeCertificateCommand({ certificateId: a.id }));
        client.destroy();
        assert.equal(d.certificateDescription!.status, 'ACTIVE');
        await second.stop();
        assert.equal(await storedWardenCa(second), caBefore);
      } finally {
        await second?.cleanup();
        await first.cleanup();
        // `keep` left the data for the second server; its cleanup removed the folder, the schema is ours to drop.
        const schema = first.databaseUrl && new URL(first.databaseUrl).searchParams.get('schema');
        if (schema) await dropSchema(schema);
      }
    });
  });
}
