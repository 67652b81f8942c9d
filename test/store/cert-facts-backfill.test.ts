// Migration 009 gives certificates the facts the audit reads (serial number, issuer, key quality,
// CRL URLs) but runs no domain code: a database that held certificates before version 9 is
// migrated with the facts NULL, and Warden fills them in from the PEM when it opens the store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { createServer } from '../../src/index.js';
import { certificateFacts } from '../../src/registry/cert-facts.js';
import type { Driver } from '../../src/store/driver.js';
import { LATEST_VERSION, migrate } from '../../src/store/migrations/index.js';
import { PostgresDriver } from '../../src/store/postgres.js';
import { SqliteDriver } from '../../src/store/sqlite.js';
import { makeCa, makeLeaf } from '../operations/certificates-helpers.js';
import { BACKENDS, dropSchema, freshSchema, PG_BASE } from '../harness.js';

const A = '000000000000';
const R = 'us-east-1';
const T = 1767225600000;

type Facts = { serial_number: string | null; issuer: string | null; key_quality: string | null; crl_urls: string | null };
const factsOf = (db: Driver, table: string, id: string) =>
  db.get<Facts>(`SELECT serial_number, issuer, key_quality, crl_urls FROM ${table} WHERE account_id = ? AND region = ? AND certificate_id = ?`, [A, R, id]);
const expected = (pem: string): Facts => {
  const f = certificateFacts(pem);
  return { serial_number: f.serialNumber, issuer: f.issuer, key_quality: f.keyQuality, crl_urls: f.crlUrls };
};

for (const backend of BACKENDS) {
  describe(`certificate facts of a database from before version 9 (${backend})`, () => {
    test('the migration leaves them NULL; opening Warden fills them in from the PEM and loses nothing', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'warden-facts-'));
      const schema = freshSchema();
      const url = backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined;
      const open = async (): Promise<Driver> => (url ? PostgresDriver.open(url, () => undefined) : SqliteDriver.open(dataDir));
      try {
        const ca = await makeCa();
        const leaf = await makeLeaf(ca);
        const caId = new X509Certificate(ca.pem).fingerprint256.replace(/:/g, '').toLowerCase();
        const leafId = new X509Certificate(leaf).fingerprint256.replace(/:/g, '').toLowerCase();

        const db = await open();
        assert.deepEqual(await migrate(db, 8), [1, 2, 3, 4, 5, 6, 7, 8]);
        await db.run(
          `INSERT INTO ca_certificates (account_id, region, certificate_id, arn, status, pem, subject, certificate_mode, auto_registration_status,
             registration_config, owned_by, generation_id, customer_version, not_before, not_after, created_at, modified_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [A, R, caId, `arn:aws:iot:${R}:${A}:cacert/${caId}`, 'ACTIVE', ca.pem, new X509Certificate(ca.pem).subject, 'DEFAULT', 'DISABLE', null, A, 'g1', 1, T, T + 1, T, T],
        );
        const device = [leafId, 'broken'];
        for (const [id, pem] of [[leafId, leaf], ['broken', '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n']]) {
          await db.run(
            `INSERT INTO certificates (account_id, region, certificate_id, arn, status, ca_certificate_id, pem, certificate_mode, owned_by,
               previous_owned_by, transfer_data, generation_id, customer_version, not_before, not_after, created_at, modified_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            [A, R, id, `arn:aws:iot:${R}:${A}:cert/${id}`, 'ACTIVE', caId, pem, 'DEFAULT', A, null, null, 'g1', 3, T, T + 1, T, T + 2],
          );
        }
        // The migration alone: columns added, facts unknown.
        assert.deepEqual(await migrate(db, 9), [9]);
        assert.deepEqual(await factsOf(db, 'certificates', leafId), { serial_number: null, issuer: null, key_quality: null, crl_urls: null });
        await db.close();

        const server = await createServer({ port: 0, dataDir, databaseUrl: url, logLevel: 'silent' });
        try {
          const store = server.store;
          assert.equal(await store.schemaVersion(), LATEST_VERSION);
          assert.deepEqual(await factsOf(store.db, 'certificates', leafId), expected(leaf));
          assert.notEqual((await factsOf(store.db, 'certificates', leafId))?.serial_number, '');
          assert.deepEqual(await factsOf(store.db, 'ca_certificates', caId), expected(ca.pem));
          // An unparseable PEM gets serial '' and is not read again.
          assert.equal((await factsOf(store.db, 'certificates', 'broken'))?.serial_number, '');
          // Nothing else changed.
          const c = await store.repos.certificates.get({ accountId: A, region: R }, leafId);
          assert.equal(c?.pem, leaf);
          assert.equal(c?.customerVersion, 3);
          assert.equal(c?.caCertificateId, caId);
          assert.deepEqual(c?.modifiedAt, new Date(T + 2));
          assert.equal((await store.repos.caCertificates.get({ accountId: A, region: R }, caId))?.status, 'ACTIVE');
          assert.deepEqual((await store.repos.certificates.list({ accountId: A, region: R }, { ascending: true, limit: 10 })).map((x) => x.certificateId).sort(), device.sort());
        } finally {
          await server.close();
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        if (url) await dropSchema(schema);
      }
    });
  });
}
